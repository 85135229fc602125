import {act, fireEvent, screen, waitFor} from '@testing-library/react';
import React from 'react';

import {members, task} from '../test/fixtures';
import {fakeStore, hostState, renderWithHost} from '../test/host';
import {mockServer, NEVER} from '../test/server';

import {useNameOf} from './names';
import TaskList from './TaskList';

function Tasks({canManage = true}: {canManage?: boolean}) {
    const nameOf = useNameOf(members);
    return <TaskList workflowId='wf1' canManage={canManage} members={members} nameOf={nameOf}/>;
}

test('shows loading, then an empty checklist', async () => {
    const server = mockServer({'GET /workflows/wf1/tasks': NEVER});
    renderWithHost(<Tasks/>);
    expect(screen.getByText('Loading checklist…')).toBeInTheDocument();
    server.route('GET /workflows/wf1/tasks', {body: {items: []}});
});

test('an empty checklist says so', async () => {
    mockServer({'GET /workflows/wf1/tasks': {body: {items: []}}});
    renderWithHost(<Tasks/>);
    expect(await screen.findByText('No tasks yet.')).toBeInTheDocument();
});

test('renders 200 tasks with their assignee, due date and done count', async () => {
    const items = Array.from({length: 200}, (_, i) => task(i + 1, {done: i < 50, assignee_id: i % 2 ? 'u2' : '', due_at: i === 119 ? 1_000 : 0}));
    mockServer({'GET /workflows/wf1/tasks': {body: {items}}});
    renderWithHost(<Tasks/>);
    // Text and label queries: role queries over 200 rows are needlessly slow in jsdom.
    expect(await screen.findByText('Checklist (50 of 200 done)')).toBeInTheDocument();
    expect(document.querySelectorAll('input[type="checkbox"]')).toHaveLength(200);
    expect(screen.getByLabelText('#200 Task number 200')).not.toBeChecked();
    expect(screen.getByLabelText('#1 Task number 1')).toBeChecked();
    expect(screen.getByLabelText('#2 Task number 2').closest('li')).toHaveTextContent('assigned to @bob · qa, qa');
    expect(screen.getByLabelText('#120 Task number 120').closest('li')).toHaveTextContent(/due .* \(overdue\)/);
});

test('a task with several assignees names them all', async () => {
    mockServer({'GET /workflows/wf1/tasks': {body: {items: [task(4, {assignee_id: 'u1', assignee_ids: ['u1', 'u2']}), task(5, {assignee_id: 'u2'})]}}});
    renderWithHost(<Tasks/>);
    expect((await screen.findByLabelText('#4 Task number 4')).closest('li')).toHaveTextContent('assigned to @alice, @bob · qa, qa');
    expect(screen.getByLabelText('#5 Task number 5').closest('li')).toHaveTextContent('assigned to @bob · qa, qa');
});

test('checking a task sends PATCH and keeps the server answer', async () => {
    const server = mockServer({
        'GET /workflows/wf1/tasks': {body: {items: [task(3)]}},
        'PATCH /workflows/wf1/tasks/3': (req) => ({body: task(3, {done: (req.body as {done: boolean}).done, done_by: 'u1'})}),
    });
    renderWithHost(<Tasks/>);
    const box = await screen.findByRole('checkbox', {name: '#3 Task number 3'});
    fireEvent.click(box);
    expect(box).toBeChecked();
    await waitFor(() => expect(screen.getByText(/done by @alice/)).toBeInTheDocument());
    expect(server.last('PATCH /workflows/wf1/tasks/3')?.body).toEqual({done: true});
    expect(screen.getByRole('heading', {name: 'Checklist (1 of 1 done)'})).toBeInTheDocument();

    fireEvent.click(box);
    await waitFor(() => expect(server.count('PATCH /workflows/wf1/tasks/3')).toBe(2));
    expect(server.last('PATCH /workflows/wf1/tasks/3')?.body).toEqual({done: false});
    await waitFor(() => expect(box).not.toBeChecked());
});

test('a refused check is undone and the reason shown', async () => {
    mockServer({
        'GET /workflows/wf1/tasks': {body: {items: [task(3)]}},
        'PATCH /workflows/wf1/tasks/3': {status: 403, body: {error: 'Only workflow members can tick tasks.'}},
    });
    renderWithHost(<Tasks/>);
    const box = await screen.findByRole('checkbox', {name: '#3 Task number 3'});
    fireEvent.click(box);
    expect(await screen.findByRole('alert')).toHaveTextContent('Task #3: Only workflow members can tick tasks.');
    expect(box).not.toBeChecked();
});

test('without manage_tasks the boxes are read-only and there is no add form', async () => {
    mockServer({'GET /workflows/wf1/tasks': {body: {items: [task(1, {done: true})]}}});
    renderWithHost(<Tasks canManage={false}/>);
    const box = await screen.findByRole('checkbox', {name: '#1 Task number 1'});
    expect(box).toBeChecked();
    expect(box).toBeDisabled();
    expect(screen.queryByRole('form', {name: 'Add a task'})).not.toBeInTheDocument();
});

test('adding a task posts it and lists the answer', async () => {
    const server = mockServer({
        'GET /workflows/wf1/tasks': {body: {items: []}},
        'POST /workflows/wf1/tasks': {status: 201, body: task(1, {text: 'Rotate keys', assignee_id: 'u2'})},
    });
    // The user's Mattermost time zone, not the machine's, says what 09:30 means.
    renderWithHost(<Tasks/>, fakeStore(hostState({timezone: 'Asia/Tokyo'})));
    await screen.findByText('No tasks yet.');
    fireEvent.change(screen.getByLabelText('New task'), {target: {value: '  Rotate keys '}});
    fireEvent.change(screen.getByLabelText('Assignee'), {target: {value: 'u2'}});
    expect(screen.getByLabelText('Due')).toHaveAttribute('type', 'datetime-local');
    fireEvent.change(screen.getByLabelText('Due'), {target: {value: '2030-01-15T09:30'}});
    fireEvent.click(screen.getByRole('button', {name: 'Add task'}));
    expect(await screen.findByRole('checkbox', {name: '#1 Rotate keys'})).toBeInTheDocument();
    const body = server.last('POST /workflows/wf1/tasks')?.body as {text: string; assignee_id: string; due_at: number};
    expect(body.text).toBe('Rotate keys');
    expect(body.assignee_id).toBe('u2');
    expect(body.due_at).toBe(Date.UTC(2030, 0, 15, 0, 30));
    expect(screen.getByLabelText('New task')).toHaveValue('');
    // Ready for the next one.
    expect(screen.getByLabelText('New task')).toHaveFocus();
});

test('an empty task is refused before asking the server', async () => {
    const server = mockServer({'GET /workflows/wf1/tasks': {body: {items: []}}});
    renderWithHost(<Tasks/>);
    await screen.findByText('No tasks yet.');
    fireEvent.click(screen.getByRole('button', {name: 'Add task'}));
    expect(await screen.findByRole('alert')).toHaveTextContent('Describe the task first.');
    expect(server.count('POST /workflows/wf1/tasks')).toBe(0);
});

test('a task event refetches the checklist', async () => {
    const server = mockServer({'GET /workflows/wf1/tasks': {body: {items: [task(1)]}}});
    const {host} = renderWithHost(<Tasks/>);
    await screen.findByRole('checkbox', {name: '#1 Task number 1'});
    server.route('GET /workflows/wf1/tasks', {body: {items: [task(1, {done: true})]}});
    act(() => host.events.emit({workflow_id: 'wf1', channel_id: 'ch1', team_id: 'team1', what: 'task'}));
    await waitFor(() => expect(screen.getByRole('checkbox', {name: '#1 Task number 1'})).toBeChecked());
});
