import React, {useState} from 'react';

import {useAction, useHost} from '../hooks';
import type {Signoff, Stage, Workflow, WorkflowView} from '../types';

import {byId, useAnnounce, useFocusAfter} from './a11y';
import type {Target} from './a11y';
import {ErrorMessage, Section} from './common';
import type {NameOf} from './names';

type StageState = 'done' | 'current' | 'upcoming';

const MARKERS: Record<StageState, string> = {done: '✓', current: '●', upcoming: '○'};

interface Props {
    wf: WorkflowView;
    nameOf: NameOf;
    onChanged(wf: Workflow): void;
}

export default function StageProgress({wf, nameOf, onChanged}: Props) {
    const {api} = useHost();
    const action = useAction();
    const announce = useAnnounce();
    const focusAfter = useFocusAfter();
    const stages = wf.template.stages;
    const current = stages.findIndex((s) => s.name === wf.stage);
    const signoffs = wf.signoffs ?? [];
    const active = wf.status === 'active';
    const next = current >= 0 ? stages[current + 1] : undefined;
    const mine = wf.permissions.signoff_disciplines ?? [];

    // Upcoming gates where one of my disciplines has not signed yet.
    const toSign = active ? stages.slice(current + 1).filter((s) => unsigned(s, signoffs).some((d) => mine.includes(d))) : [];

    const run = async (call: () => Promise<Workflow>, said: (wf: Workflow) => string, ...focus: Target[]) => {
        const updated = await action.run(call);
        if (updated) {
            onChanged(updated);
            announce(said(updated));
            focusAfter(...focus);
        }
    };
    // After a move the button names the next stage; at the last stage it is gone and
    // the list, now showing where the workflow is, takes focus.
    const move = () => run(() => api.changeStage(wf.id, 'next'), (u) => `Moved to ${u.stage}.`, byId(MOVE_ID), byId(LIST_ID));

    return (
        <Section title='Stages'>
            <ol className='dc-stages' id={LIST_ID} tabIndex={-1} aria-label='Stage progress'>
                {stages.map((stage, i) => {
                    const state: StageState = i < current ? 'done' : i === current ? 'current' : 'upcoming';
                    return (
                        <li
                            key={stage.name}
                            className={`dc-stage dc-stage-${state}`}
                            aria-current={state === 'current' ? 'step' : undefined}
                        >
                            <span className='dc-stage-marker' aria-hidden='true'>{MARKERS[state]}</span>
                            <span className='dc-stage-name'>{stage.name}</span>
                            <span className='dc-muted'>{` (${state})`}</span>
                            <Gate stage={stage} signoffs={signoffs} nameOf={nameOf}/>
                        </li>
                    );
                })}
            </ol>
            {current < 0 && <p className='dc-muted'>{`Current stage: ${wf.stage}`}</p>}
            {active && next && wf.permissions.change_stage && (
                <div className='dc-actions'>
                    <button type='button' id={MOVE_ID} className='dc-button' aria-disabled={action.pending} onClick={move}>
                        {`Move to ${next.name}`}
                    </button>
                    {unsigned(next, signoffs).length > 0 && (
                        <span className='dc-muted'>{`Needs sign-off from ${unsigned(next, signoffs).join(', ')}`}</span>
                    )}
                    {unsetFor(wf, next.name).length > 0 && (
                        <span className='dc-muted'>{`Needs the field ${unsetFor(wf, next.name).join(', ')} (under Fields)`}</span>
                    )}
                </div>
            )}
            {toSign.map((stage) => (
                <SignoffForm
                    key={stage.name}
                    stage={stage.name}
                    disciplines={unsigned(stage, signoffs).filter((d) => mine.includes(d))}
                    pending={action.pending}
                    onSubmit={(note) => run(
                        () => api.signoff(wf.id, stage.name, note),
                        () => `Signed off ${stage.name} as ${unsigned(stage, signoffs).filter((d) => mine.includes(d)).join(', ')}.`,
                        byId(`dc-signoff-${stage.name}`),
                        byId(gateId(stage.name)),
                    )}
                />
            ))}
            <ErrorMessage message={action.error}/>
        </Section>
    );
}

const MOVE_ID = 'dc-stage-move';
const LIST_ID = 'dc-stage-list';
const gateId = (stage: string) => `dc-gate-${stage}`;

function unsigned(stage: Stage, signoffs: Signoff[]): string[] {
    return (stage.gate ?? []).filter((d) => !signoffs.some((s) => s.stage === stage.name && s.discipline === d));
}

function Gate({stage, signoffs, nameOf}: {stage: Stage; signoffs: Signoff[]; nameOf: NameOf}) {
    const gate = stage.gate ?? [];
    if (gate.length === 0) {
        return null;
    }
    return (
        <ul className='dc-gate' id={gateId(stage.name)} tabIndex={-1} aria-label={`Sign-offs needed to enter ${stage.name}`}>
            {gate.map((discipline) => {
                const s = signoffs.find((x) => x.stage === stage.name && x.discipline === discipline);
                return (
                    <li key={discipline} className={s ? 'dc-gate-signed' : 'dc-gate-waiting'}>
                        {s ? `✓ ${discipline}: signed off by ${nameOf(s.user_id)}${s.note ? ` — “${s.note}”` : ''}` : `${discipline}: waiting for sign-off`}
                    </li>
                );
            })}
        </ul>
    );
}

function SignoffForm({stage, disciplines, pending, onSubmit}: {stage: string; disciplines: string[]; pending: boolean; onSubmit(note: string): void}) {
    const [note, setNote] = useState('');
    const id = `dc-signoff-${stage}`;
    return (
        <form
            className='dc-inline-form'
            onSubmit={(e) => {
                e.preventDefault();
                onSubmit(note.trim());
            }}
        >
            <label htmlFor={id}>{`Sign-off note for ${stage} (optional)`}</label>
            <input id={id} className='dc-input' value={note} onChange={(e) => setNote(e.target.value)}/>
            <button type='submit' className='dc-button' aria-disabled={pending}>{`Sign off ${stage} as ${disciplines.join(', ')}`}</button>
        </form>
    );
}

// The fields a stage requires that are not set yet: entering it is refused until they are.
function unsetFor(wf: WorkflowView, stage: string): string[] {
    return (wf.field_values ?? []).filter((f) => f.required_at === stage && !f.value).map((f) => f.name);
}
