import React, {useRef} from 'react';

import {refreshes} from '../events';
import {useHost, useHostState, usePaged, useWorkflowEvents} from '../hooks';
import {selectTeamName} from '../host';
import {permalinkPath} from '../navigation';

import {useMoreLoaded} from './a11y';
import {AppLink, ErrorMessage, Loading, Section, Time} from './common';
import type {NameOf} from './names';

export default function Timeline({workflowId, nameOf}: {workflowId: string; nameOf: NameOf}) {
    const {api} = useHost();
    const teamName = useHostState(selectTeamName);
    const page = usePaged((cursor) => api.timeline(workflowId, cursor), workflowId);
    const list = useRef<HTMLOListElement>(null);
    const willLoadMore = useMoreLoaded(page.items.length, page.loadingMore, list, 'older event');

    useWorkflowEvents((c) => {
        if (c.workflow_id === workflowId && refreshes(c, 'timeline')) {
            page.reload();
        }
    });

    return (
        <Section title='Timeline'>
            {page.loading && <Loading label='timeline'/>}
            {!page.loading && page.items.length === 0 && !page.error && <p className='dc-muted'>{'Nothing has happened yet.'}</p>}
            {page.items.length > 0 && (
                <ol className='dc-timeline' aria-label='Timeline, newest first' ref={list}>
                    {page.items.map((e) => (
                        <li key={e.id} className='dc-event' tabIndex={-1}>
                            <span className='dc-muted'><Time at={e.at}/>{` · ${nameOf(e.actor_id)}`}</span>
                            <span className='dc-event-summary'>{e.summary}</span>
                            {e.post_id && teamName && <AppLink path={permalinkPath(teamName, e.post_id)}>{'View message'}</AppLink>}
                        </li>
                    ))}
                </ol>
            )}
            <ErrorMessage message={page.error} onRetry={page.items.length === 0 ? page.reload : undefined}/>
            {page.hasMore && (
                <button
                    type='button'
                    className='dc-button dc-button-secondary'
                    aria-disabled={page.loadingMore}
                    onClick={() => {
                        willLoadMore();
                        page.loadMore();
                    }}
                >
                    {page.loadingMore ? 'Loading…' : 'Load more'}
                </button>
            )}
        </Section>
    );
}
