import React, {useState} from 'react';

import {useAction, useHost} from '../hooks';
import type {Workflow, WorkflowView} from '../types';

import {byId, useAnnounce, useFocusAfter} from './a11y';
import {PanelForm, Section, Time} from './common';
import type {NameOf} from './names';

const OPEN_ID = 'dc-status-open';

interface Props {
    wf: WorkflowView;
    nameOf: NameOf;
    onChanged(wf: Workflow): void;
}

export default function StatusSection({wf, nameOf, onChanged}: Props) {
    const {api} = useHost();
    const action = useAction();
    const announce = useAnnounce();
    const focusAfter = useFocusAfter();
    const [editing, setEditing] = useState(false);
    const [text, setText] = useState('');
    const last = wf.last_status;
    const canUpdate = wf.permissions.update_status && wf.status === 'active';

    const submit = async () => {
        if (!text.trim()) {
            action.fail('Write the status update first.');
            return;
        }
        const updated = await action.run(() => api.postStatus(wf.id, text.trim()));
        if (updated) {
            onChanged(updated);
            setText('');
            close();
            announce('Status update posted.');
        }
    };
    // Whichever way the form closes, focus goes back to the button that opened it.
    const close = () => {
        setEditing(false);
        focusAfter(byId(OPEN_ID));
    };

    return (
        <Section
            title='Latest status'
            actions={canUpdate && !editing && (
                <button type='button' id={OPEN_ID} className='dc-link-button' onClick={() => setEditing(true)}>{'Update status'}</button>
            )}
        >
            {last ? (
                <>
                    <p className='dc-status-text'>{last.text}</p>
                    <p className='dc-muted'>{`${nameOf(last.user_id)} · `}<Time at={last.at}/></p>
                </>
            ) : (
                <p className='dc-muted'>{'No status update yet.'}</p>
            )}
            {editing && (
                <PanelForm onSubmit={submit} onCancel={close} submitLabel='Post update' error={action.error} pending={action.pending}>
                    <label htmlFor='dc-status-input'>{'Status update'}</label>
                    <textarea
                        id='dc-status-input'
                        className='dc-input'
                        rows={3}
                        autoFocus={true}
                        value={text}
                        onChange={(e) => setText(e.target.value)}
                    />
                </PanelForm>
            )}
        </Section>
    );
}
