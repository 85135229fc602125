import {act, fireEvent, screen, waitFor} from '@testing-library/react';
import React from 'react';

import {event} from '../test/fixtures';
import {renderWithHost} from '../test/host';
import {mockServer} from '../test/server';

import Timeline from './Timeline';

const nameOf = (id: string) => `@${id}`;

function pages(first: number[], nextFirst = 'c2') {
    return (req: {query: URLSearchParams}) => (req.query.get('cursor') === 'c2' ?
        {body: {items: [event(3), event(4)], next_cursor: ''}} :
        {body: {items: first.map(event), next_cursor: nextFirst}});
}

test('asks for newest first and pages older events with load more', async () => {
    const server = mockServer({'GET /workflows/wf1/timeline': pages([1, 2])});
    renderWithHost(<Timeline workflowId='wf1' nameOf={nameOf}/>);
    expect(await screen.findByText('Event 1')).toBeInTheDocument();
    expect(server.calls[0].query.get('order')).toBe('desc');

    const more = screen.getByRole('button', {name: 'Load more'});
    more.focus();
    fireEvent.click(more);
    expect(await screen.findByText('Event 4')).toBeInTheDocument();
    expect(Array.from(document.querySelectorAll('.dc-event-summary')).map((e) => e.textContent)).toEqual(['Event 1', 'Event 2', 'Event 3', 'Event 4']);
    expect(server.last('GET /workflows/wf1/timeline')?.query.get('cursor')).toBe('c2');
    expect(screen.queryByRole('button', {name: 'Load more'})).not.toBeInTheDocument();
    // The button is gone with the last page: focus is on the first event it brought.
    expect(screen.getByText('Event 3').closest('li')).toHaveFocus();
});

test('a live event adds the newest entry without dropping the older pages', async () => {
    const server = mockServer({'GET /workflows/wf1/timeline': pages([1, 2])});
    const {host} = renderWithHost(<Timeline workflowId='wf1' nameOf={nameOf}/>);
    fireEvent.click(await screen.findByRole('button', {name: 'Load more'}));
    await screen.findByText('Event 4');

    server.route('GET /workflows/wf1/timeline', pages([0, 1]));
    act(() => host.events.emit({workflow_id: 'wf1', channel_id: 'ch1', team_id: 't', what: 'timeline'}));
    await screen.findByText('Event 0');
    expect(Array.from(document.querySelectorAll('.dc-event-summary')).map((e) => e.textContent)).toEqual(['Event 0', 'Event 1', 'Event 3', 'Event 4']);
});

test('empty, error and retry', async () => {
    const server = mockServer({'GET /workflows/wf1/timeline': {status: 502, body: 'Bad gateway'}});
    renderWithHost(<Timeline workflowId='wf1' nameOf={nameOf}/>);
    expect(await screen.findByRole('alert')).toHaveTextContent('The server answered 502.');
    server.route('GET /workflows/wf1/timeline', {body: {items: [], next_cursor: ''}});
    fireEvent.click(screen.getByRole('button', {name: 'Try again'}));
    expect(await screen.findByText('Nothing has happened yet.')).toBeInTheDocument();
});

test('a failed later page keeps what is shown and allows another try', async () => {
    const server = mockServer({'GET /workflows/wf1/timeline': pages([1, 2])});
    renderWithHost(<Timeline workflowId='wf1' nameOf={nameOf}/>);
    const more = await screen.findByRole('button', {name: 'Load more'});
    server.route('GET /workflows/wf1/timeline', {status: 500, body: {error: 'timeout'}});
    fireEvent.click(more);
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('timeout'));
    expect(screen.getByText('Event 2')).toBeInTheDocument();
    expect(screen.getByRole('button', {name: 'Load more'})).toBeEnabled();
});

test('links a pinned message to its permalink', async () => {
    mockServer({'GET /workflows/wf1/timeline': {body: {items: [{...event(1), type: 'pinned', post_id: 'p1'}], next_cursor: ''}}});
    renderWithHost(<Timeline workflowId='wf1' nameOf={nameOf}/>);
    expect(await screen.findByRole('link', {name: 'View message'})).toHaveAttribute('href', 'http://mm.test/eng/pl/p1');
});
