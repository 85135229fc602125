import React, {useRef} from 'react';

import {refreshes} from '../events';
import {useAsync, useHost, useHostState, useStartDraft, useWorkflowEvents} from '../hooks';
import {selectChannelId, selectTeamId} from '../host';
import {usePalette} from '../theme';
import type {Page, Workflow} from '../types';

import {Announcer, useFocusKeeper} from './a11y';
import {ErrorMessage, Loading} from './common';
import StartFromMessage from './StartFromMessage';
import TeamView from './TeamView';
import WorkflowPanel from './WorkflowPanel';

const NONE: Page<Workflow> = {items: [], next_cursor: ''};

// The right-hand panel: a workflow's own view in its channel, the team overview anywhere else.
export default function Panel() {
    const {api} = useHost();
    const teamId = useHostState(selectTeamId);
    const channelId = useHostState(selectChannelId);
    const palette = usePalette();
    const root = useRef<HTMLDivElement>(null);
    useFocusKeeper(root);
    const draft = useStartDraft();
    const lookup = useAsync(
        () => (channelId && teamId ? api.listWorkflows({team_id: teamId, channel_id: channelId, per_page: 1}) : Promise.resolve(NONE)),
        `${teamId}/${channelId}`,
    );

    // A workflow started from this very channel's dialog turns it into a workflow channel.
    useWorkflowEvents((c) => {
        if (c.channel_id === channelId && refreshes(c, 'lookup')) {
            lookup.reload();
        }
    });

    let body: React.ReactNode;
    if (!teamId) {
        body = <p className='dc-muted'>{'Open a team to see its workflows.'}</p>;
    } else if (draft) {
        body = <StartFromMessage teamId={teamId} draft={draft}/>;
    } else if (!lookup.data) {
        body = lookup.error ? <ErrorMessage message={lookup.error} onRetry={lookup.reload}/> : <Loading label='workflow'/>;
    } else if (lookup.data.items.length > 0) {
        body = <WorkflowPanel id={lookup.data.items[0].id}/>;
    } else {
        body = <TeamView teamId={teamId}/>;
    }
    // The root takes focus (tabIndex -1) only while a view it switched to is loading.
    return (
        <div className='dc-panel' style={palette as React.CSSProperties} ref={root} tabIndex={-1}>
            <Announcer>{body}</Announcer>
        </div>
    );
}
