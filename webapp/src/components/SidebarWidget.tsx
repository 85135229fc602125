import React from 'react';

import {typePlural} from '../format';
import {refreshes} from '../events';
import {useAsync, useHost, useHostState, useWorkflowEvents} from '../hooks';
import {selectTeamId} from '../host';
import type {Summary} from '../types';

const NONE: Summary = {active: {}};

// Top of the left sidebar: my active workflows by type. It stays silent while loading,
// when there is nothing to count and on errors, because the sidebar is no place for noise.
export default function SidebarWidget() {
    const {api, showPanel} = useHost();
    const teamId = useHostState(selectTeamId);
    const summary = useAsync(() => (teamId ? api.summary(teamId) : Promise.resolve(NONE)), teamId);

    useWorkflowEvents((c) => {
        if (c.team_id === teamId && refreshes(c, 'summary')) {
            summary.reload();
        }
    });

    const counts = Object.entries(summary.data?.active ?? {}).filter(([, n]) => n > 0);
    if (counts.length === 0) {
        return null;
    }
    return (
        <div className='dc-widget'>
            <button type='button' className='dc-widget-button' title='Open the DevOps Channels panel' onClick={showPanel}>
                <span className='dc-widget-label'>{'My workflows'}</span>
                {counts.map(([type, n]) => (
                    <span key={type} className='dc-widget-count'>{`${typePlural(type)}: ${n}`}</span>
                ))}
            </button>
        </div>
    );
}
