import React, {useState} from 'react';

import {useAction, useHost} from '../hooks';
import type {FieldValue, Workflow, WorkflowView} from '../types';

import {byId, useAnnounce, useFocusAfter} from './a11y';
import {PanelForm, Section} from './common';

const OPEN_ID = 'dc-fields-open';

interface Props {
    wf: WorkflowView;
    onChanged(wf: Workflow): void;
}

// What a field's input starts with: the value as people type it (a user by username).
function typed(f: FieldValue): string {
    return f.type === 'user' ? f.display.replace(/^@/, '') : f.value;
}

// The workflow's custom fields (service, customer, ticket…), and a form to set them.
export default function FieldsSection({wf, onChanged}: Props) {
    const {api} = useHost();
    const action = useAction();
    const announce = useAnnounce();
    const focusAfter = useFocusAfter();
    const [editing, setEditing] = useState(false);
    const [draft, setDraft] = useState<Record<string, string>>({});
    const fields = wf.field_values ?? [];
    if (fields.length === 0) {
        return null;
    }
    const canSet = Boolean(wf.permissions.set_fields) && wf.status === 'active';

    const open = () => {
        setDraft(Object.fromEntries(fields.map((f) => [f.key, typed(f)])));
        setEditing(true);
    };
    const close = () => {
        setEditing(false);
        focusAfter(byId(OPEN_ID));
    };
    const submit = async () => {
        const changes: Record<string, string | null> = {};
        for (const f of fields) {
            const v = (draft[f.key] ?? '').trim();
            if (v !== typed(f)) {
                changes[f.key] = v === '' ? null : v;
            }
        }
        if (Object.keys(changes).length === 0) {
            close();
            announce('No field changed.');
            return;
        }
        const updated = await action.run(() => api.setFields(wf.id, changes));
        if (updated) {
            onChanged(updated);
            close();
            announce(`Fields saved: ${Object.keys(changes).length} changed.`);
        }
    };

    return (
        <Section
            title='Fields'
            actions={canSet && !editing && (
                <button type='button' id={OPEN_ID} className='dc-link-button' onClick={open}>{'Edit fields'}</button>
            )}
        >
            {!editing && (
                <dl className='dc-facts'>
                    {fields.map((f) => (
                        <React.Fragment key={f.key}>
                            <dt>{f.name}</dt>
                            <dd><FieldShown field={f}/></dd>
                        </React.Fragment>
                    ))}
                </dl>
            )}
            {editing && (
                <PanelForm onSubmit={submit} onCancel={close} submitLabel='Save fields' error={action.error} pending={action.pending}>
                    {fields.map((f, i) => (
                        <FieldInput
                            key={f.key}
                            field={f}
                            value={draft[f.key] ?? ''}
                            first={i === 0}
                            onChange={(v) => setDraft((d) => ({...d, [f.key]: v}))}
                        />
                    ))}
                </PanelForm>
            )}
        </Section>
    );
}

function FieldShown({field}: {field: FieldValue}) {
    if (!field.display) {
        return <span className='dc-muted'>{field.required_at ? `not set (needed to enter ${field.required_at})` : 'not set'}</span>;
    }
    if (field.type === 'url') {
        return <a href={field.value} target='_blank' rel='noopener noreferrer'>{field.display}</a>;
    }
    return <>{field.display}</>;
}

const HINTS: Record<FieldValue['type'], string> = {
    text: '',
    number: 'A number.',
    select: '',
    user: 'A username of this team.',
    url: 'A link starting with http:// or https://.',
};

function FieldInput({field, value, first, onChange}: {field: FieldValue; value: string; first: boolean; onChange(v: string): void}) {
    const id = `dc-field-${field.key}`;
    const hint = [HINTS[field.type], field.required_at ? `Needed to enter ${field.required_at}.` : ''].filter(Boolean).join(' ');
    const hintId = hint ? `${id}-hint` : undefined;
    const common = {id, className: 'dc-input', value, autoFocus: first, 'aria-describedby': hintId};
    return (
        <>
            <label htmlFor={id}>{field.name}</label>
            {field.type === 'select' ? (
                <select {...common} onChange={(e) => onChange(e.target.value)}>
                    <option value=''>{'Not set'}</option>
                    {(field.options ?? []).map((o) => <option key={o} value={o}>{o}</option>)}
                </select>
            ) : (
                <input
                    {...common}
                    type={field.type === 'url' ? 'url' : 'text'}
                    inputMode={field.type === 'number' ? 'decimal' : undefined}
                    onChange={(e) => onChange(e.target.value)}
                />
            )}
            {hintId && <span id={hintId} className='dc-muted dc-small'>{hint}</span>}
        </>
    );
}
