import {act, fireEvent, screen, waitFor} from '@testing-library/react';
import React from 'react';

import {chartRoutes, workflow} from '../test/fixtures';
import {renderWithHost} from '../test/host';
import {mockServer} from '../test/server';
import type {Handler} from '../test/server';

import TeamView from './TeamView';

const templates = {
    body: {
        items: [
            {type: 'incident', name: 'Incident', severities: ['sev1', 'sev2'], private: false, can_start: true},
            {type: 'security', name: 'Security issue', severities: [], private: true, can_start: true},
            {type: 'release', name: 'Release', severities: [], private: false, can_start: false},
        ],
    },
};

function server(routes: Record<string, Handler> = {}) {
    return mockServer({
        'GET /templates': templates,
        ...chartRoutes,
        'GET /workflows': {body: {items: [workflow()], next_cursor: ''}},
        'GET /oncall': {body: {items: []}},
        ...routes,
    });
}

async function openStartForm() {
    fireEvent.click(await screen.findByRole('button', {name: 'Start workflow'}));
    return screen.getByRole('form', {name: 'Start a workflow'});
}

test('lists active workflows with links to their channels', async () => {
    server();
    renderWithHost(<TeamView teamId='team1'/>);
    const link = await screen.findByRole('link', {name: 'Release 2.4.0'});
    expect(link).toHaveAttribute('href', 'http://mm.test/eng/channels/rel-2-4-0');
    expect(screen.getByText('Release #3')).toBeInTheDocument();
    expect(screen.getByText('Stage: qa')).toBeInTheDocument();
});

test('a plain click navigates inside the app; a modified click is left to the browser', async () => {
    server();
    const push = jest.fn();
    window.WebappUtils = {browserHistory: {push}};
    renderWithHost(<TeamView teamId='team1'/>);
    const link = await screen.findByRole('link', {name: 'Release 2.4.0'});
    fireEvent.click(link);
    expect(push).toHaveBeenCalledWith('/eng/channels/rel-2-4-0');
    // jsdom cannot open a tab; stop it trying once our handler has let the click through.
    link.addEventListener('click', (e) => e.preventDefault());
    fireEvent.click(link, {ctrlKey: true});
    expect(push).toHaveBeenCalledTimes(1);
    delete window.WebappUtils;
});

test('filters by type, mine and title search', async () => {
    const s = server();
    renderWithHost(<TeamView teamId='team1'/>);
    await screen.findByRole('link', {name: 'Release 2.4.0'});

    fireEvent.change(screen.getByLabelText('Type'), {target: {value: 'incident'}});
    fireEvent.click(screen.getByLabelText('Only mine'));
    fireEvent.change(screen.getByLabelText('Search titles'), {target: {value: ' checkout '}});
    await waitFor(() => expect(s.last('GET /workflows')?.query.get('q')).toBe('checkout'));
    const q = s.last('GET /workflows')?.query;
    expect(q?.get('type')).toBe('incident');
    expect(q?.get('mine')).toBe('true');
    expect(q?.get('team_id')).toBe('team1');
});

test('says when no workflow matches the filters', async () => {
    server({'GET /workflows': (req) => ({body: {items: req.query.get('type') ? [] : [workflow()], next_cursor: ''}})});
    renderWithHost(<TeamView teamId='team1'/>);
    await screen.findByRole('link', {name: 'Release 2.4.0'});
    fireEvent.change(screen.getByLabelText('Type'), {target: {value: 'incident'}});
    expect(await screen.findByText('No active workflows match these filters.')).toBeInTheDocument();
});

test('pages with load more', async () => {
    server({
        'GET /workflows': (req) => (req.query.get('cursor') === 'c2' ?
            {body: {items: [workflow({id: 'wf2', title: 'Second page'})], next_cursor: ''}} :
            {body: {items: [workflow()], next_cursor: 'c2'}}),
    });
    renderWithHost(<TeamView teamId='team1'/>);
    fireEvent.click(await screen.findByRole('button', {name: 'Load more'}));
    expect(await screen.findByRole('link', {name: 'Second page'})).toBeInTheDocument();
    expect(screen.getByRole('link', {name: 'Release 2.4.0'})).toBeInTheDocument();
    expect(screen.queryByRole('button', {name: 'Load more'})).not.toBeInTheDocument();
});

test('a created event in the team refreshes the list', async () => {
    const s = server();
    const {host} = renderWithHost(<TeamView teamId='team1'/>);
    await screen.findByRole('link', {name: 'Release 2.4.0'});
    s.route('GET /workflows', {body: {items: [workflow(), workflow({id: 'wf9', title: 'Fresh incident'})], next_cursor: ''}});
    act(() => host.events.emit({workflow_id: 'wf9', channel_id: 'ch9', team_id: 'team1', what: 'created'}));
    expect(await screen.findByRole('link', {name: 'Fresh incident'})).toBeInTheDocument();
});

test('the start form offers only types the user may start, with their severities and default visibility', async () => {
    server();
    renderWithHost(<TeamView teamId='team1'/>);
    await openStartForm();
    const type = screen.getByLabelText('Type', {selector: '#dc-start-type'});
    expect(Array.from((type as HTMLSelectElement).options).map((o) => o.textContent)).toEqual(['Incident', 'Security issue']);
    expect(screen.getByLabelText('Severity')).toBeInTheDocument();
    expect(screen.getByLabelText('Private — only invited people can see it')).not.toBeChecked();

    fireEvent.change(type, {target: {value: 'security'}});
    expect(screen.queryByLabelText('Severity')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Private — only invited people can see it')).toBeChecked();
});

test('starting a workflow posts it and links to its channel', async () => {
    const s = server({'POST /workflows': {status: 201, body: workflow({id: 'wf5', type: 'incident', title: 'Checkout errors', channel_name: 'inc-5-checkout-errors'})}});
    renderWithHost(<TeamView teamId='team1'/>);
    await openStartForm();
    fireEvent.change(screen.getByLabelText('Title'), {target: {value: 'Checkout errors'}});
    fireEvent.change(screen.getByLabelText('Severity'), {target: {value: 'sev1'}});
    fireEvent.click(screen.getByRole('button', {name: 'Start'}));

    const notice = await screen.findByText(/Started/);
    expect(notice.querySelector('a')).toHaveAttribute('href', 'http://mm.test/eng/channels/inc-5-checkout-errors');
    expect(s.last('POST /workflows')?.body).toEqual({team_id: 'team1', type: 'incident', title: 'Checkout errors', severity: 'sev1', private: false, force: false});
    expect(screen.queryByRole('form', {name: 'Start a workflow'})).not.toBeInTheDocument();
});

test('the start form shows a server refusal inline', async () => {
    server({'POST /workflows': {status: 403, body: {error: 'Only security may start a security workflow.'}}});
    renderWithHost(<TeamView teamId='team1'/>);
    await openStartForm();
    fireEvent.change(screen.getByLabelText('Title'), {target: {value: 'Leaked token'}});
    fireEvent.click(screen.getByRole('button', {name: 'Start'}));
    expect(await screen.findByRole('alert')).toHaveTextContent('Only security may start a security workflow.');
    expect(screen.queryByRole('button', {name: 'Start anyway'})).not.toBeInTheDocument();
    expect(screen.getByRole('form', {name: 'Start a workflow'})).toBeInTheDocument();
});

test('a duplicate warning links to the similar workflow and can be overridden', async () => {
    const s = server({'POST /workflows': (req) => ((req.body as {force: boolean}).force ?
        {status: 201, body: workflow({id: 'wf6', title: 'Checkout errors'})} :
        {status: 409, body: {error: 'A similar incident is active: http://mm.test/eng/channels/inc-4-checkout. Use --force to start anyway.'}})});
    renderWithHost(<TeamView teamId='team1'/>);
    await openStartForm();
    fireEvent.change(screen.getByLabelText('Title'), {target: {value: 'Checkout errors'}});
    fireEvent.click(screen.getByRole('button', {name: 'Start'}));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('A similar incident is active');
    expect(screen.getByRole('link', {name: 'http://mm.test/eng/channels/inc-4-checkout'})).toHaveAttribute('href', 'http://mm.test/eng/channels/inc-4-checkout');
    fireEvent.click(screen.getByRole('button', {name: 'Start anyway'}));
    expect(await screen.findByText(/Started/)).toBeInTheDocument();
    expect(s.last('POST /workflows')?.body).toMatchObject({force: true});
});

test('a missing title is caught before the server is asked', async () => {
    const s = server();
    renderWithHost(<TeamView teamId='team1'/>);
    await openStartForm();
    fireEvent.click(screen.getByRole('button', {name: 'Start'}));
    expect(await screen.findByRole('alert')).toHaveTextContent('Give the workflow a title.');
    expect(s.count('POST /workflows')).toBe(0);
});

test('no start button when the user may start nothing', async () => {
    server({'GET /templates': {body: {items: [{type: 'release', name: 'Release', severities: [], private: false, can_start: false}]}}});
    renderWithHost(<TeamView teamId='team1'/>);
    await screen.findByRole('link', {name: 'Release 2.4.0'});
    expect(screen.queryByRole('button', {name: 'Start workflow'})).not.toBeInTheDocument();
});
