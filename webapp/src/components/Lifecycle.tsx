import React, {useState} from 'react';

import {useAction, useHost} from '../hooks';
import type {Workflow, WorkflowView} from '../types';

import {ErrorMessage} from './common';

// Close and reopen sit at the bottom, behind a second step, because closing posts a retrospective.
export default function Lifecycle({wf, onChanged}: {wf: WorkflowView; onChanged(wf: Workflow): void}) {
    const {api} = useHost();
    const action = useAction();
    const [closing, setClosing] = useState(false);
    const [summary, setSummary] = useState('');
    const active = wf.status === 'active';

    if (active ? !wf.permissions.close : !wf.permissions.reopen) {
        return null;
    }
    const run = async (call: () => Promise<Workflow>) => {
        const updated = await action.run(call);
        if (updated) {
            setClosing(false);
            onChanged(updated);
        }
    };

    return (
        <div className='dc-section dc-lifecycle'>
            {!active && (
                <button type='button' className='dc-button dc-button-secondary' disabled={action.pending} onClick={() => run(() => api.reopen(wf.id))}>
                    {'Reopen workflow'}
                </button>
            )}
            {active && !closing && (
                <button type='button' className='dc-button dc-button-secondary' onClick={() => setClosing(true)}>{'Close workflow…'}</button>
            )}
            {active && closing && (
                <form
                    className='dc-form'
                    onSubmit={(e) => {
                        e.preventDefault();
                        run(() => api.close(wf.id, summary.trim()));
                    }}
                >
                    <label htmlFor='dc-close-summary'>{'Closing summary (optional)'}</label>
                    <textarea id='dc-close-summary' className='dc-input' rows={2} value={summary} onChange={(e) => setSummary(e.target.value)}/>
                    <div className='dc-actions'>
                        <button type='submit' className='dc-button dc-button-danger' disabled={action.pending}>{'Close workflow'}</button>
                        <button type='button' className='dc-button dc-button-secondary' onClick={() => setClosing(false)}>{'Cancel'}</button>
                    </div>
                </form>
            )}
            <ErrorMessage message={action.error}/>
        </div>
    );
}
