import React from 'react';

import type {Member} from '../types';

import {ErrorMessage, Loading, Section} from './common';

interface Props {
    members: Member[] | undefined;
    error: string;
    onRetry(): void;
}

// Follow-the-sun: who is here, in which discipline and role, and whether it is their working day.
export default function Roster({members, error, onRetry}: Props) {
    if (!members) {
        return (
            <Section title='People'>
                {error ? <ErrorMessage message={error} onRetry={onRetry}/> : <Loading label='people'/>}
            </Section>
        );
    }
    return (
        <Section title={`People (${members.length})`}>
            <ul className='dc-roster'>
                {members.map((m) => (
                    <li key={m.user_id} className='dc-person'>
                        <span className='dc-person-name'>
                            {m.display_name || m.username}
                            {m.display_name && <span className='dc-muted'>{` @${m.username}`}</span>}
                        </span>
                        <span className='dc-person-meta'>
                            {[m.discipline || 'no discipline', m.role].filter(Boolean).join(' · ')}
                        </span>
                        <span className={`dc-hours ${m.in_working_hours ? 'dc-hours-in' : 'dc-hours-out'}`}>
                            <span className='dc-dot' aria-hidden='true'/>
                            {m.local_time ? `${m.local_time} local · ` : ''}
                            {m.in_working_hours ? 'in working hours' : 'outside working hours'}
                        </span>
                    </li>
                ))}
            </ul>
            <ErrorMessage message={error}/>
        </Section>
    );
}
