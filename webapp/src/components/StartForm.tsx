import React, {useState} from 'react';

import type {StartDraft} from '../drafts';
import {useAction, useHost} from '../hooks';
import type {TemplateSummary, Workflow} from '../types';

import {ErrorMessage} from './common';

interface Props {
    teamId: string;
    templates: TemplateSummary[];
    onStarted(wf: Workflow): void;
    onCancel(): void;

    // Starting from a message: its first line is the title; the server links the two.
    fromPost?: StartDraft;
}

export default function StartForm({teamId, templates, onStarted, onCancel, fromPost}: Props) {
    const {api} = useHost();
    const action = useAction();
    const [type, setType] = useState(templates[0]?.type ?? '');
    const [title, setTitle] = useState(fromPost?.title ?? '');
    const [severity, setSeverity] = useState('');
    const [isPrivate, setPrivate] = useState(templates[0]?.private ?? false);
    const template = templates.find((t) => t.type === type);

    // Switching type resets what depends on it: its severities and its default visibility.
    const chooseType = (next: string) => {
        setType(next);
        setSeverity('');
        setPrivate(templates.find((t) => t.type === next)?.private ?? false);
    };

    const submit = async (force: boolean) => {
        // From a message the server takes the title from it when none is given.
        if (!title.trim() && !fromPost) {
            action.fail('Give the workflow a title.');
            return;
        }
        const wf = await action.run(() => api.startWorkflow({
            team_id: teamId, type, title: title.trim(), severity, private: isPrivate, force, from_post_id: fromPost?.postId,
        }));
        if (wf) {
            onStarted(wf);
        }
    };

    return (
        <form
            className='dc-form dc-start'
            aria-label='Start a workflow'
            onSubmit={(e) => {
                e.preventDefault();
                submit(false);
            }}
            onKeyDown={(e) => {
                if (e.key === 'Escape') {
                    e.stopPropagation();
                    onCancel();
                }
            }}
        >
            <label htmlFor='dc-start-type'>{'Type'}</label>
            <select id='dc-start-type' className='dc-input' value={type} onChange={(e) => chooseType(e.target.value)}>
                {templates.map((t) => <option key={t.type} value={t.type}>{t.name}</option>)}
            </select>
            <label htmlFor='dc-start-title'>{'Title'}</label>
            <input
                id='dc-start-title'
                className='dc-input'
                value={title}
                autoFocus={true}
                placeholder={fromPost ? 'The message\'s first line' : undefined}
                onChange={(e) => setTitle(e.target.value)}
            />
            {(template?.severities ?? []).length > 0 && (
                <>
                    <label htmlFor='dc-start-severity'>{'Severity'}</label>
                    <select id='dc-start-severity' className='dc-input' value={severity} onChange={(e) => setSeverity(e.target.value)}>
                        <option value=''>{'Default'}</option>
                        {template?.severities.map((s) => <option key={s} value={s}>{s}</option>)}
                    </select>
                </>
            )}
            <label className='dc-check'>
                <input type='checkbox' checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)}/>
                {'Private — only invited people can see it'}
            </label>
            <ErrorMessage message={action.error}/>
            <div className='dc-actions'>
                <button type='submit' className='dc-button' aria-disabled={action.pending}>{action.pending ? 'Starting…' : 'Start'}</button>
                {action.status === 409 && (
                    <button type='button' className='dc-button dc-button-secondary' aria-disabled={action.pending} onClick={() => submit(true)}>
                        {'Start anyway'}
                    </button>
                )}
                <button type='button' className='dc-button dc-button-secondary' onClick={onCancel}>{'Cancel'}</button>
            </div>
        </form>
    );
}
