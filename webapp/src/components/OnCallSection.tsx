import React, {useEffect} from 'react';

import {useAsync, useHost} from '../hooks';
import type {OnCall} from '../types';

import {ErrorMessage, Time} from './common';

// Who is on call now is re-read this often: shifts hand over and overrides end
// without any event in the channel.
const REFRESH_MS = 60_000;

function person(oc: OnCall): string {
    const name = oc.username ? `@${oc.username}` : 'nobody';
    return oc.local_time ? `${name} (${oc.local_time} local)` : name;
}

// The team's rotations and who answers a page for each right now.
export default function OnCallSection({teamId}: {teamId: string}) {
    const {api} = useHost();
    const oncall = useAsync(() => api.onCall(teamId), teamId);
    const {reload} = oncall;
    useEffect(() => {
        const timer = window.setInterval(reload, REFRESH_MS);
        return () => window.clearInterval(timer);
    }, [reload]);
    const items = oncall.data?.items ?? [];

    return (
        <section className='dc-section dc-oncall' aria-labelledby='dc-oncall-title'>
            <h2 id='dc-oncall-title'>{'On call now'}</h2>
            <ErrorMessage message={oncall.error} onRetry={reload}/>
            {oncall.data && items.length === 0 && (
                <p className='dc-muted'>{'No on-call rotations in this team. An admin makes one with /devops rotation create.'}</p>
            )}
            {items.length > 0 && (
                <ul className='dc-list' aria-label='On call'>
                    {items.map((oc) => (
                        <li key={oc.rotation_id} className='dc-list-item'>
                            <span className='dc-list-title'>
                                {oc.rotation}
                                {oc.discipline && <span className='dc-muted'>{` · ${oc.discipline}`}</span>}
                            </span>
                            <span>{`${person(oc)} · ${oc.reason}`}</span>
                            {oc.until > 0 && oc.next && (
                                <span className='dc-muted'>
                                    {'until '}
                                    <Time at={oc.until}/>
                                    {`, then ${person(oc.next)}`}
                                </span>
                            )}
                        </li>
                    ))}
                </ul>
            )}
        </section>
    );
}
