import React, {useState} from 'react';

import {useAsync, useHost, useHostState} from '../hooks';
import type {StartDraft} from '../drafts';
import {selectTeamName} from '../host';
import {channelPath} from '../navigation';
import type {Workflow} from '../types';

import {AppLink, ErrorMessage, Loading} from './common';
import StartForm from './StartForm';

// The panel's start form for the post menu's "Start a workflow…": the title from the
// message, the type and severity to pick; the server links the message both ways.
export default function StartFromMessage({teamId, draft}: {teamId: string; draft: StartDraft}) {
    const {api, drafts} = useHost();
    const teamName = useHostState(selectTeamName);
    const templates = useAsync(() => api.templates(teamId), teamId);
    const [started, setStarted] = useState<Workflow | null>(null);
    const startable = templates.data?.items.filter((t) => t.can_start) ?? [];

    let body: React.ReactNode;
    if (started) {
        body = (
            <>
                <p className='dc-notice' role='status'>
                    {'Started '}
                    <AppLink path={channelPath(teamName, started.channel_name)}>{started.title}</AppLink>
                    {'; the message\'s thread links to it.'}
                </p>
                <button type='button' className='dc-button dc-button-secondary' onClick={() => drafts.set(null)}>{'Done'}</button>
            </>
        );
    } else if (!templates.data) {
        body = templates.error ? <ErrorMessage message={templates.error} onRetry={templates.reload}/> : <Loading label='workflow types'/>;
    } else if (startable.length === 0) {
        body = <p className='dc-muted'>{'You may not start any workflow type in this team.'}</p>;
    } else {
        body = (
            <StartForm
                key={draft.postId}
                teamId={teamId}
                templates={startable}
                fromPost={draft}
                onStarted={setStarted}
                onCancel={() => drafts.set(null)}
            />
        );
    }
    return (
        <div className='dc-team'>
            <div className='dc-section-head'>
                <h2>{'Start a workflow from a message'}</h2>
            </div>
            {body}
        </div>
    );
}
