import React, {useEffect, useRef, useState} from 'react';

import {capitalize, plural} from '../format';
import {refreshes} from '../events';
import {useAsync, useDebounced, useHost, useHostState, usePaged, useWorkflowEvents} from '../hooks';
import {selectTeamName} from '../host';
import {channelPath} from '../navigation';
import type {Workflow} from '../types';

import {byId, useAnnounce, useFocusAfter, useMoreLoaded} from './a11y';
import {AppLink, Badge, ErrorMessage, Loading} from './common';
import CloseTimesChart from './CloseTimesChart';
import OnCallSection from './OnCallSection';
import StartForm from './StartForm';

const PER_PAGE = 20;
const START_ID = 'dc-start-open';

// The panel outside a workflow channel: the team's active workflows and a way to start one.
export default function TeamView({teamId}: {teamId: string}) {
    const {api} = useHost();
    const teamName = useHostState(selectTeamName);
    const [type, setType] = useState('');
    const [mine, setMine] = useState(false);
    const [search, setSearch] = useState('');
    const [starting, setStarting] = useState(false);
    const [started, setStarted] = useState<Workflow | null>(null);
    const q = useDebounced(search.trim(), 300);
    const announce = useAnnounce();
    const focusAfter = useFocusAfter();
    const listRef = useRef<HTMLUListElement>(null);

    const templates = useAsync(() => api.templates(teamId), teamId);
    const list = usePaged(
        (cursor) => api.listWorkflows({team_id: teamId, status: 'active', type, mine, q, cursor, per_page: PER_PAGE}),
        JSON.stringify([teamId, type, mine, q]),
    );

    useWorkflowEvents((c) => {
        if (c.team_id === teamId && refreshes(c, 'list')) {
            list.reload();
        }
    });

    const typeName = (t: string) => templates.data?.items.find((x) => x.type === t)?.name ?? capitalize(t);
    const startable = templates.data?.items.filter((t) => t.can_start) ?? [];
    const filtered = Boolean(type || mine || q);
    const willLoadMore = useMoreLoaded(list.items.length, list.loadingMore, listRef, 'more workflow');
    const filters = JSON.stringify([type, mine, q]);
    const count = list.hasMore ? `${list.items.length} or more active workflows` : plural(list.items.length, 'active workflow');
    const one = list.items.length === 1 && !list.hasMore;
    const emptyText = filtered ? 'No active workflows match these filters.' : 'No active workflows in this team.';
    let result = emptyText;
    if (list.items.length > 0) {
        result = filtered ? `${count} ${one ? 'matches' : 'match'} these filters.` : `${count}.`;
    }

    // A filter's result is said once its list has loaded; the first load is not a result.
    const heard = useRef(filters);
    useEffect(() => {
        if (!list.loading && !list.error && heard.current !== filters) {
            heard.current = filters;
            announce(result);
        }
    }, [list.loading, list.error, filters, result, announce]);
    const closeForm = () => {
        setStarting(false);
        focusAfter(byId(START_ID));
    };

    return (
        <div className='dc-team'>
            <div className='dc-section-head'>
                <h2 tabIndex={-1} data-dc-landing=''>{'Active workflows'}</h2>
                {startable.length > 0 && !starting && (
                    <button type='button' id={START_ID} className='dc-button' onClick={() => setStarting(true)}>{'Start workflow'}</button>
                )}
            </div>
            <ErrorMessage message={templates.error}/>
            {starting && (
                <StartForm
                    teamId={teamId}
                    templates={startable}
                    onCancel={closeForm}
                    onStarted={(wf) => {
                        closeForm();
                        setStarted(wf);
                        announce(`Started ${wf.title}.`);
                        list.reload();
                    }}
                />
            )}
            {started && (
                <p className='dc-notice'>
                    {'Started '}
                    <AppLink path={channelPath(teamName, started.channel_name)}>{started.title}</AppLink>
                    {'.'}
                </p>
            )}
            <div className='dc-filters' role='search'>
                <label htmlFor='dc-filter-q'>{'Search titles'}</label>
                <input id='dc-filter-q' type='search' className='dc-input' value={search} onChange={(e) => setSearch(e.target.value)}/>
                <div className='dc-row'>
                    <label>
                        {'Type '}
                        <select className='dc-input' value={type} onChange={(e) => setType(e.target.value)}>
                            <option value=''>{'All types'}</option>
                            {templates.data?.items.map((t) => <option key={t.type} value={t.type}>{t.name}</option>)}
                        </select>
                    </label>
                    <label className='dc-check'>
                        <input type='checkbox' checked={mine} onChange={(e) => setMine(e.target.checked)}/>
                        {'Only mine'}
                    </label>
                </div>
            </div>
            {list.loading && <Loading label='workflows'/>}
            {!list.loading && !list.error && list.items.length === 0 && (
                <p className='dc-muted'>
                    {emptyText}
                </p>
            )}
            {list.items.length > 0 && (
                <ul className='dc-list' aria-label='Workflows' ref={listRef}>
                    {list.items.map((wf) => (
                        <li key={wf.id} className='dc-list-item' tabIndex={-1}>
                            <AppLink className='dc-list-title' title={wf.title} path={channelPath(teamName, wf.channel_name)}>
                                {wf.title}
                            </AppLink>
                            <div className='dc-badges'>
                                <Badge>{`${typeName(wf.type)} #${wf.seq}`}</Badge>
                                {wf.severity && <Badge kind='severity'>{wf.severity}</Badge>}
                                <Badge>{`Stage: ${wf.stage}`}</Badge>
                                {wf.private && <Badge kind='private'>{'Private'}</Badge>}
                            </div>
                        </li>
                    ))}
                </ul>
            )}
            <ErrorMessage message={list.error} onRetry={list.reload}/>
            {list.hasMore && (
                <button
                    type='button'
                    className='dc-button dc-button-secondary'
                    aria-disabled={list.loadingMore}
                    onClick={() => {
                        willLoadMore();
                        list.loadMore();
                    }}
                >
                    {list.loadingMore ? 'Loading…' : 'Load more'}
                </button>
            )}
            <OnCallSection teamId={teamId}/>
            <CloseTimesChart teamId={teamId}/>
        </div>
    );
}
