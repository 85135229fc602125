import {act, fireEvent, screen, waitFor, within} from '@testing-library/react';
import React from 'react';

import {CSS} from '../styles';
import {chartRoutes, view, workflow, workflowRoutes} from '../test/fixtures';
import {fakeStore, hostState, renderWithHost} from '../test/host';
import {mockServer, NEVER} from '../test/server';

import Panel from './Panel';

const teamRoutes = {
    ...chartRoutes,
    'GET /workflows': {body: {items: [], next_cursor: ''}},
    'GET /oncall': {body: {items: []}},
    'GET /templates': {body: {items: [{type: 'incident', name: 'Incident', severities: ['sev1', 'sev2'], private: false, can_start: true}]}},
};

test('shows loading while the channel is looked up', () => {
    mockServer({'GET /workflows': NEVER});
    renderWithHost(<Panel/>);
    expect(screen.getByText('Loading workflow…')).toBeInTheDocument();
});

test('outside a workflow channel, an empty team says so', async () => {
    const server = mockServer(teamRoutes);
    renderWithHost(<Panel/>);
    expect(await screen.findByText('No active workflows in this team.')).toBeInTheDocument();
    expect(server.calls[0].query.get('channel_id')).toBe('ch1');
    expect(server.last('GET /workflows')?.query.get('status')).toBe('active');
});

test('shows the server error and retries on request', async () => {
    const server = mockServer({'GET /workflows': {status: 500, body: {error: 'The database is unavailable.'}}});
    renderWithHost(<Panel/>);
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable.');

    server.route('GET /workflows', teamRoutes['GET /workflows']);
    server.route('GET /templates', teamRoutes['GET /templates']);
    fireEvent.click(screen.getByRole('button', {name: 'Try again'}));
    expect(await screen.findByText('No active workflows in this team.')).toBeInTheDocument();
});

test('a private workflow the user may not see shows the refusal', async () => {
    mockServer({
        ...workflowRoutes(),
        'GET /workflows/wf1': {status: 403, body: {error: 'This security workflow is private: ask its commander to add you.'}},
    });
    renderWithHost(<Panel/>);
    expect(await screen.findByRole('alert')).toHaveTextContent('This security workflow is private: ask its commander to add you.');
    expect(screen.queryByRole('heading', {name: 'Stages'})).not.toBeInTheDocument();
});

test('in a workflow channel, shows the workflow with stages, gates, people, status and timeline', async () => {
    mockServer(workflowRoutes(view({severity: 'high'})));
    renderWithHost(<Panel/>);

    expect(await screen.findByRole('heading', {name: 'Release 2.4.0'})).toBeInTheDocument();
    expect(screen.getByText('Release #3')).toBeInTheDocument();
    expect(screen.getByText('Severity: high')).toBeInTheDocument();
    expect(screen.getByText('Active')).toBeInTheDocument();

    const stages = screen.getAllByRole('listitem').filter((li) => li.classList.contains('dc-stage'));
    expect(stages.map((li) => li.textContent)).toEqual([
        expect.stringContaining('planning (done)'),
        expect.stringContaining('qa (current)'),
        expect.stringContaining('staging (upcoming)'),
        expect.stringContaining('production (upcoming)'),
    ]);
    expect(stages[1]).toHaveAttribute('aria-current', 'step');
    const gate = screen.getByRole('list', {name: 'Sign-offs needed to enter production'});
    expect(gate).toHaveTextContent('qa: signed off by @bob — “all green”');
    expect(gate).toHaveTextContent('security: waiting for sign-off');

    expect(await screen.findByText('QA half done')).toBeInTheDocument();
    const people = await screen.findByRole('heading', {name: 'People (2)'});
    const roster = within(people.closest('section') as HTMLElement);
    expect(roster.getByText(/14:05 local · in working hours/)).toBeInTheDocument();
    expect(roster.getByText(/22:05 local · outside working hours/)).toBeInTheDocument();
    expect(await screen.findByText('Event 1')).toBeInTheDocument();
    expect(screen.getByRole('button', {name: 'Move to staging'})).toBeInTheDocument();
});

test('hides what the permissions do not allow', async () => {
    const v = view();
    v.permissions = {change_stage: false, assign_roles: false, close: false, reopen: false, update_status: false, manage_tasks: false, signoff_disciplines: []};
    mockServer(workflowRoutes(v));
    renderWithHost(<Panel/>);
    await screen.findByRole('checkbox', {name: '#1 Task number 1'});
    expect(screen.queryByRole('button', {name: /Move to/})).not.toBeInTheDocument();
    expect(screen.queryByRole('button', {name: 'Update status'})).not.toBeInTheDocument();
    expect(screen.queryByRole('button', {name: /Close workflow/})).not.toBeInTheDocument();
    expect(screen.queryByRole('form', {name: 'Add a task'})).not.toBeInTheDocument();
    expect(screen.getByRole('checkbox', {name: '#1 Task number 1'})).toBeDisabled();
});

test('a 500-character title wraps in the header and is truncated with its full text kept in the list', async () => {
    const long = `${'Checkout errors in EU '.repeat(23).slice(0, 499)}!`;
    mockServer(workflowRoutes(view({title: long})));
    const {unmount} = renderWithHost(<Panel/>);
    const heading = await screen.findByRole('heading', {level: 2});
    expect(long).toHaveLength(500);
    expect(heading.textContent).toBe(long);
    expect(heading).toHaveClass('dc-wf-title');
    expect(CSS).toMatch(/\.dc-wf-title[^{]*\{[^}]*overflow-wrap: anywhere/);
    unmount();

    mockServer({...teamRoutes, 'GET /workflows': (req) => ({body: {items: req.query.get('channel_id') ? [] : [workflow({title: long})], next_cursor: ''}})});
    renderWithHost(<Panel/>);
    const link = await screen.findByRole('link', {name: long});
    expect(link).toHaveAttribute('title', long);
    expect(link).toHaveClass('dc-list-title');
    expect(link).toHaveAttribute('href', 'http://mm.test/eng/channels/rel-2-4-0');
    expect(CSS).toMatch(/\.dc-list-title \{[^}]*text-overflow: ellipsis/);
});

test('a stage event refetches the workflow, the timeline and the tasks (entering a stage adds its checklist)', async () => {
    const server = mockServer(workflowRoutes());
    const {host} = renderWithHost(<Panel/>);
    await screen.findByText('Event 1');
    await screen.findByRole('checkbox', {name: '#1 Task number 1'});
    expect(server.count('GET /workflows/wf1')).toBe(1);

    server.route('GET /workflows/wf1', {body: view({stage: 'staging'})});
    act(() => host.events.emit({workflow_id: 'wf1', channel_id: 'ch1', team_id: 'team1', what: 'stage'}));

    await waitFor(() => expect(document.querySelector('[aria-current="step"]')).toHaveTextContent('staging (current)'));
    expect(server.count('GET /workflows/wf1')).toBe(2);
    expect(server.count('GET /workflows/wf1/timeline')).toBe(2);
    await waitFor(() => expect(server.count('GET /workflows/wf1/tasks')).toBe(2));
    expect(server.count('GET /workflows/wf1/members')).toBe(1);
});

test('a severity change shows at once; a CI event refetches the timeline, not the checklist or roster', async () => {
    const server = mockServer(workflowRoutes());
    const {host} = renderWithHost(<Panel/>);
    await screen.findByText('Event 1');
    await screen.findByRole('checkbox', {name: '#1 Task number 1'});

    server.route('GET /workflows/wf1', {body: view({severity: 'sev1'})});
    act(() => host.events.emit({workflow_id: 'wf1', channel_id: 'ch1', team_id: 'team1', what: 'severity'}));
    await screen.findByText('Severity: sev1');
    expect(server.count('GET /workflows/wf1/timeline')).toBe(2);

    for (const what of ['deploy', 'build', 'test'] as const) {
        act(() => host.events.emit({workflow_id: 'wf1', channel_id: 'ch1', team_id: 'team1', what}));
    }
    await waitFor(() => expect(server.count('GET /workflows/wf1/timeline')).toBe(5));
    expect(server.count('GET /workflows/wf1/tasks')).toBe(1);
    expect(server.count('GET /workflows/wf1/members')).toBe(1);
});

test('events about other workflows are ignored', async () => {
    const server = mockServer(workflowRoutes());
    const {host} = renderWithHost(<Panel/>);
    await screen.findByText('Event 1');
    act(() => host.events.emit({workflow_id: 'other', channel_id: 'ch9', team_id: 'team1', what: 'stage'}));
    await act(async () => undefined);
    expect(server.count('GET /workflows/wf1')).toBe(1);
});

test('switching channel looks the new channel up and drops the old workflow', async () => {
    const server = mockServer({
        ...workflowRoutes(),
        'GET /workflows': (req) => ({body: {items: req.query.get('channel_id') === 'ch1' ? [view()] : [], next_cursor: ''}}),
        'GET /templates': teamRoutes['GET /templates'],
    });
    const store = fakeStore();
    renderWithHost(<Panel/>, store);
    await screen.findByRole('heading', {name: 'Release 2.4.0'});

    act(() => store.setState(hostState({channelId: 'town-square'})));
    expect(screen.queryByRole('heading', {name: 'Release 2.4.0'})).not.toBeInTheDocument();
    expect(await screen.findByRole('heading', {name: 'Active workflows'})).toBeInTheDocument();
    expect(server.calls.some((c) => c.query.get('channel_id') === 'town-square')).toBe(true);
});

test('without a current team, asks for one instead of querying the server', async () => {
    const server = mockServer({});
    renderWithHost(<Panel/>, fakeStore(hostState({teamId: ''})));
    await act(async () => undefined);
    expect(screen.getByText('Open a team to see its workflows.')).toBeInTheDocument();
    expect(server.calls).toHaveLength(0);
});
