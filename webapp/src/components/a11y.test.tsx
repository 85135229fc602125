// The panel's keyboard and screen-reader contract, component by component: where focus
// lands after each action and what the one live region says. The real-browser test
// walks the same path in Chromium against a real server.
import {act, configure, fireEvent, screen, waitFor, within} from '@testing-library/react';
import React from 'react';

import {chartRoutes, task, view, workflow, workflowRoutes} from '../test/fixtures';
import {fakeStore, hostState, renderWithHost} from '../test/host';
import {mockServer} from '../test/server';
import type {WorkflowView} from '../types';

import Panel from './Panel';

// Each test renders the whole panel; on a busy machine that takes seconds.
jest.setTimeout(30_000);
configure({asyncUtilTimeout: 5_000});

const said = () => document.querySelector('.dc-announcer');

async function workflowPanel(v: WorkflowView = view(), extra = {}) {
    const server = mockServer({...workflowRoutes(v), ...extra});
    const result = renderWithHost(<Panel/>);
    await screen.findByRole('heading', {name: v.title});
    await screen.findByRole('checkbox', {name: '#1 Task number 1'});
    return {server, ...result};
}

test('the panel has exactly one polite live region, empty until something happens', async () => {
    await workflowPanel();
    const regions = document.querySelectorAll('[aria-live]');
    expect(regions).toHaveLength(1);
    expect(regions[0]).toHaveAttribute('aria-live', 'polite');
    expect(regions[0]).toHaveAttribute('role', 'status');
    expect(regions[0]).toBeEmptyDOMElement();
});

test('ticking a task keeps the box enabled and focused, and says so', async () => {
    let answer: () => void = () => undefined;
    await workflowPanel(view(), {
        'PATCH /workflows/wf1/tasks/1': () => new Promise((resolve) => {
            answer = () => resolve({body: task(1, {done: true, done_by: 'u1'})});
        }),
    });
    const box = screen.getByRole('checkbox', {name: '#1 Task number 1'});
    box.focus();
    fireEvent.click(box);
    // Saving: still enabled (a disabled box would drop focus), marked busy.
    expect(box).toBeEnabled();
    expect(box).toHaveAttribute('aria-busy', 'true');
    expect(box).toHaveFocus();
    await act(async () => answer());
    await waitFor(() => expect(said()).toHaveTextContent('Task #1 done.'));
    expect(box).toHaveFocus();
    expect(box).toBeChecked();
});

test('task details are the checkbox\'s description', async () => {
    const due = Date.UTC(2030, 0, 15, 8, 30);
    await workflowPanel(view(), {'GET /workflows/wf1/tasks': {body: {items: [task(1, {assignee_id: 'u2', due_at: due})]}}});
    const box = screen.getByRole('checkbox', {name: '#1 Task number 1'});
    expect(box).toHaveAccessibleDescription(/^assigned to @bob · due .*2030.* · qa, qa$/);
});

test('the stage list and the timeline have names', async () => {
    await workflowPanel();
    expect(screen.getByRole('list', {name: 'Stage progress'})).toBeInTheDocument();
    expect(await screen.findByRole('list', {name: 'Timeline, newest first'})).toBeInTheDocument();
});

test('moving the stage keeps focus on the button, which names the next stage, and announces the move', async () => {
    await workflowPanel(view(), {'POST /workflows/wf1/stage': {body: view({stage: 'staging'})}});
    const move = screen.getByRole('button', {name: 'Move to staging'});
    move.focus();
    fireEvent.click(move);
    await waitFor(() => expect(said()).toHaveTextContent('Moved to staging.'));
    expect(screen.getByRole('button', {name: 'Move to production'})).toHaveFocus();
});

test('a move to the last stage puts focus on the stage list', async () => {
    await workflowPanel(view({stage: 'staging', signoffs: [
        {stage: 'production', discipline: 'qa', user_id: 'u2', at: 1, note: ''},
        {stage: 'production', discipline: 'security', user_id: 'u2', at: 1, note: ''},
    ]}), {'POST /workflows/wf1/stage': {body: view({stage: 'production'})}});
    fireEvent.click(screen.getByRole('button', {name: 'Move to production'}));
    await waitFor(() => expect(said()).toHaveTextContent('Moved to production.'));
    expect(screen.getByRole('list', {name: 'Stage progress'})).toHaveFocus();
});

test('signing off focuses the gate that changed and announces it', async () => {
    const v = view({stage: 'staging'});
    v.permissions.signoff_disciplines = ['security'];
    const signed = view({stage: 'staging', signoffs: [...(v.signoffs ?? []), {stage: 'production', discipline: 'security', user_id: 'u1', at: 1, note: ''}]});
    await workflowPanel(v, {'POST /workflows/wf1/signoff': {body: signed}});
    fireEvent.click(screen.getByRole('button', {name: 'Sign off production as security'}));
    await waitFor(() => expect(said()).toHaveTextContent('Signed off production as security.'));
    expect(screen.getByRole('list', {name: 'Sign-offs needed to enter production'})).toHaveFocus();
});

test('the status form opens with focus inside; Escape, Cancel and posting return focus to its button', async () => {
    await workflowPanel(view(), {'POST /workflows/wf1/status': {body: view({last_status: {text: 'All good', user_id: 'u1', at: 2}})}});
    const open = () => screen.getByRole('button', {name: 'Update status'});
    fireEvent.click(open());
    expect(screen.getByLabelText('Status update')).toHaveFocus();
    fireEvent.keyDown(screen.getByLabelText('Status update'), {key: 'Escape'});
    expect(screen.queryByLabelText('Status update')).not.toBeInTheDocument();
    expect(open()).toHaveFocus();
    fireEvent.click(open());
    fireEvent.click(screen.getByRole('button', {name: 'Cancel'}));
    expect(open()).toHaveFocus();
    fireEvent.click(open());
    fireEvent.change(screen.getByLabelText('Status update'), {target: {value: 'All good'}});
    fireEvent.click(screen.getByRole('button', {name: 'Post update'}));
    await waitFor(() => expect(said()).toHaveTextContent('Status update posted.'));
    expect(open()).toHaveFocus();
});

test('the close form takes focus, warns with the number of open tasks, and Escape cancels back to its button', async () => {
    await workflowPanel(view(), {'GET /workflows/wf1/tasks': {body: {items: [task(1), task(2), task(3, {done: true})]}}});
    fireEvent.click(screen.getByRole('button', {name: 'Close workflow…'}));
    const summary = screen.getByLabelText('Closing summary (optional)');
    expect(summary).toHaveFocus();
    expect(await screen.findByText('2 open tasks: closing leaves them undone.')).toBeInTheDocument();
    expect(summary).toHaveAccessibleDescription('2 open tasks: closing leaves them undone.');
    await act(async () => {
        fireEvent.keyDown(summary, {key: 'Escape'});
    });
    expect(screen.queryByLabelText('Closing summary (optional)')).not.toBeInTheDocument();
    expect(screen.getByRole('button', {name: 'Close workflow…'})).toHaveFocus();
});

test('one open task reads in the singular; none, no warning', async () => {
    await workflowPanel();
    fireEvent.click(screen.getByRole('button', {name: 'Close workflow…'}));
    expect(await screen.findByText('1 open task: closing leaves it undone.')).toBeInTheDocument();
});

test('closing announces it and holds focus on the heading until Reopen arrives; reopening is announced too', async () => {
    const closed = view({status: 'closed', closed_at: 3});
    closed.permissions = {...closed.permissions, close: false, reopen: true};
    // Changes answer with the workflow alone, as the server does: no template, no permissions.
    const {server, host} = await workflowPanel(view(), {
        'POST /workflows/wf1/close': {body: workflow({status: 'closed', closed_at: 3})},
        'POST /workflows/wf1/reopen': {body: workflow()},
    });
    fireEvent.click(screen.getByRole('button', {name: 'Close workflow…'}));
    fireEvent.click(screen.getByRole('button', {name: 'Close workflow'}));
    await waitFor(() => expect(said()).toHaveTextContent('Workflow closed. The retrospective is posted in the channel.'));
    // The answer carries no permissions: the heading holds focus until the fresh view brings Reopen.
    expect(screen.getByRole('heading', {name: 'Release 2.4.0'})).toHaveFocus();
    server.route('GET /workflows/wf1', {body: closed});
    act(() => host.events.emit({workflow_id: 'wf1', channel_id: 'ch1', team_id: 'team1', what: 'closed'}));
    const reopen = await screen.findByRole('button', {name: 'Reopen workflow'});
    expect(screen.getByRole('heading', {name: 'Release 2.4.0'})).toHaveFocus();
    reopen.focus();
    fireEvent.click(reopen);
    await waitFor(() => expect(said()).toHaveTextContent('Workflow reopened.'));
    // The merged view still has the closed one's permissions (no close): the heading again, not the page.
    expect(screen.getByRole('heading', {name: 'Release 2.4.0'})).toHaveFocus();
});

test('the header shows the next status update due and the time in stage', async () => {
    const now = Date.now();
    await workflowPanel(view({stage_entered_at: now - 125 * 60_000, next_reminder_at: now + 25 * 60_000 + 30_000}));
    const facts = within(document.querySelector('.dc-facts') as HTMLElement);
    expect(facts.getByText('Next status update')).toBeInTheDocument();
    expect(facts.getByText(/^due in 25 min/)).toBeInTheDocument();
    expect(facts.getByText('· for 2 h 5 min')).toBeInTheDocument();
});

test('an overdue status update says so in words, not only in colour', async () => {
    await workflowPanel(view({next_reminder_at: Date.now() - 10 * 60_000 - 30_000}));
    expect(screen.getByText(/^overdue by 10 min/)).toHaveClass('dc-overdue');
});

const teamRoutes = {
    ...chartRoutes,
    'GET /templates': {body: {items: [{type: 'release', name: 'Release', severities: [], private: false, can_start: true}]}},
    'GET /oncall': {body: {items: []}},
};

test('the start form opens with focus inside; Escape and starting return focus to its button; the start is announced', async () => {
    mockServer({
        ...teamRoutes,
        'GET /workflows': (req) => ({body: {items: req.query.get('channel_id') ? [] : [workflow()], next_cursor: ''}}),
        'POST /workflows': {status: 201, body: workflow({id: 'wf2', title: 'Release 2.5.0'})},
    });
    renderWithHost(<Panel/>, fakeStore(hostState({channelId: 'town'})));
    const start = await screen.findByRole('button', {name: 'Start workflow'});
    fireEvent.click(start);
    const title = screen.getByLabelText('Title');
    expect(title).toHaveFocus();
    fireEvent.keyDown(title, {key: 'Escape'});
    expect(screen.getByRole('button', {name: 'Start workflow'})).toHaveFocus();
    fireEvent.click(screen.getByRole('button', {name: 'Start workflow'}));
    fireEvent.change(screen.getByLabelText('Title'), {target: {value: 'Release 2.5.0'}});
    fireEvent.click(screen.getByRole('button', {name: 'Start'}));
    await waitFor(() => expect(said()).toHaveTextContent('Started Release 2.5.0.'));
    expect(screen.getByRole('button', {name: 'Start workflow'})).toHaveFocus();
});

test('a filter\'s result count is announced once the list has loaded, not on the first load', async () => {
    mockServer({
        ...teamRoutes,
        'GET /workflows': (req) => {
            if (req.query.get('channel_id')) {
                return {body: {items: [], next_cursor: ''}};
            }
            const items = req.query.get('type') === 'incident' ? [] : [workflow(), workflow({id: 'wf2', title: 'Release 2.5.0'})];
            return {body: {items, next_cursor: ''}};
        },
    });
    renderWithHost(<Panel/>, fakeStore(hostState({channelId: 'town'})));
    await screen.findByRole('link', {name: 'Release 2.5.0'});
    expect(said()).toBeEmptyDOMElement();
    fireEvent.click(screen.getByLabelText('Only mine'));
    await waitFor(() => expect(said()).toHaveTextContent('2 active workflows match these filters.'));
    fireEvent.click(screen.getByLabelText('Only mine'));
    await waitFor(() => expect(said()).toHaveTextContent('2 active workflows.'));
});

function teamThenWorkflow() {
    mockServer({
        ...workflowRoutes(),
        ...teamRoutes,
        'GET /workflows': (req) => ({body: {items: req.query.get('channel_id') === 'town' ? [] : [view()], next_cursor: ''}}),
    });
    const store = fakeStore(hostState({channelId: 'town'}));
    renderWithHost(<Panel/>, store);
    return store;
}

test('opening a workflow from the list puts focus on its title once it has loaded', async () => {
    const store = teamThenWorkflow();
    const link = await screen.findByRole('link', {name: 'Release 2.4.0'});
    link.focus();
    // What the host does when the link is followed: the channel changes under the panel.
    act(() => store.setState(hostState({channelId: 'ch1'})));
    await waitFor(() => expect(screen.getByRole('heading', {name: 'Release 2.4.0', level: 2})).toHaveFocus());
});

test('focus the user put outside the panel is never taken', async () => {
    const store = teamThenWorkflow();
    await screen.findByRole('link', {name: 'Release 2.4.0'});
    const messageBox = document.body.appendChild(document.createElement('textarea'));
    messageBox.focus();
    act(() => store.setState(hostState({channelId: 'ch1'})));
    await screen.findByRole('heading', {name: 'Release 2.4.0', level: 2});
    expect(messageBox).toHaveFocus();
    messageBox.remove();
});

test('a click on the panel\'s blank space is not moved by a later update', async () => {
    const {host, server} = await workflowPanel();
    const panel = document.querySelector('.dc-panel') as HTMLElement;
    panel.focus();
    // Someone adds a task: the checklist changes under the user's click.
    server.route('GET /workflows/wf1/tasks', {body: {items: [task(1), task(2), task(3)]}});
    act(() => host.events.emit({workflow_id: 'wf1', channel_id: 'ch1', team_id: 'team1', what: 'task'}));
    expect(await screen.findByRole('checkbox', {name: '#3 Task number 3'})).toBeInTheDocument();
    expect(panel).toHaveFocus();
});

test('load more focuses the first workflow it brought and says how many came', async () => {
    mockServer({
        ...teamRoutes,
        'GET /workflows': (req) => {
            if (req.query.get('channel_id')) {
                return {body: {items: [], next_cursor: ''}};
            }
            return req.query.get('cursor') === 'c2' ?
                {body: {items: [workflow({id: 'wf2', title: 'Second page'}), workflow({id: 'wf3', title: 'Third'})], next_cursor: ''}} :
                {body: {items: [workflow()], next_cursor: 'c2'}};
        },
    });
    renderWithHost(<Panel/>, fakeStore(hostState({channelId: 'town'})));
    const more = await screen.findByRole('button', {name: 'Load more'});
    more.focus();
    fireEvent.click(more);
    await waitFor(() => expect(said()).toHaveTextContent('2 more workflows loaded.'));
    expect(screen.getByRole('link', {name: 'Second page'}).closest('li')).toHaveFocus();
});
