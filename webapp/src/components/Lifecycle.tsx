import React, {useState} from 'react';

import {plural} from '../format';
import {useAction, useAsync, useHost} from '../hooks';
import type {Workflow, WorkflowView} from '../types';

import {byId, LANDING, useAnnounce, useFocusAfter} from './a11y';
import type {Target} from './a11y';
import {ErrorMessage} from './common';

const CLOSE_ID = 'dc-close-open';
const REOPEN_ID = 'dc-reopen';
const WARNING_ID = 'dc-close-warning';
const heading = () => document.querySelector<HTMLElement>(`.dc-workflow [${LANDING}]`);

// Close and reopen sit at the bottom, behind a second step, because closing posts a retrospective.
export default function Lifecycle({wf, onChanged}: {wf: WorkflowView; onChanged(wf: Workflow): void}) {
    const {api} = useHost();
    const action = useAction();
    const announce = useAnnounce();
    const focusAfter = useFocusAfter();
    const [closing, setClosing] = useState(false);
    const [summary, setSummary] = useState('');
    // Read when the form opens, so the warning counts the tasks open now.
    const tasks = useAsync(() => (closing ? api.tasks(wf.id) : Promise.resolve({items: []})), closing ? wf.id : '');
    const open = tasks.data?.items.filter((t) => !t.done).length ?? 0;
    const active = wf.status === 'active';
    if (active ? !wf.permissions.close : !wf.permissions.reopen) {
        return null;
    }

    const run = async (call: () => Promise<Workflow>, said: string, ...focus: Target[]) => {
        const updated = await action.run(call);
        if (updated) {
            setClosing(false);
            onChanged(updated);
            announce(said);
            // The button that undoes it, once the permissions allow it; else the heading.
            focusAfter(...focus, heading);
        }
    };
    const cancel = () => {
        setClosing(false);
        focusAfter(byId(CLOSE_ID));
    };

    return (
        <div className='dc-section dc-lifecycle'>
            {!active && (
                <button
                    type='button'
                    id={REOPEN_ID}
                    className='dc-button dc-button-secondary'
                    aria-disabled={action.pending}
                    onClick={() => run(() => api.reopen(wf.id), 'Workflow reopened.', byId(CLOSE_ID))}
                >
                    {'Reopen workflow'}
                </button>
            )}
            {active && !closing && (
                <button type='button' id={CLOSE_ID} className='dc-button dc-button-secondary' onClick={() => setClosing(true)}>{'Close workflow…'}</button>
            )}
            {active && closing && (
                <form
                    className='dc-form'
                    aria-label='Close the workflow'
                    onSubmit={(e) => {
                        e.preventDefault();
                        run(() => api.close(wf.id, summary.trim()), 'Workflow closed. The retrospective is posted in the channel.', byId(REOPEN_ID));
                    }}
                    onKeyDown={(e) => {
                        if (e.key === 'Escape') {
                            e.stopPropagation();
                            cancel();
                        }
                    }}
                >
                    {open > 0 && (
                        <p id={WARNING_ID} className='dc-warning'>
                            <span aria-hidden='true'>{'⚠ '}</span>
                            {`${plural(open, 'open task')}: closing leaves ${open === 1 ? 'it' : 'them'} undone.`}
                        </p>
                    )}
                    <label htmlFor='dc-close-summary'>{'Closing summary (optional)'}</label>
                    <textarea
                        id='dc-close-summary'
                        className='dc-input'
                        rows={2}
                        autoFocus={true}
                        aria-describedby={open > 0 ? WARNING_ID : undefined}
                        value={summary}
                        onChange={(e) => setSummary(e.target.value)}
                    />
                    <div className='dc-actions'>
                        <button type='submit' className='dc-button dc-button-danger' aria-disabled={action.pending}>
                            {'Close workflow'}
                        </button>
                        <button type='button' className='dc-button dc-button-secondary' onClick={cancel}>{'Cancel'}</button>
                    </div>
                </form>
            )}
            <ErrorMessage message={action.error}/>
        </div>
    );
}
