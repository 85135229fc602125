import {act, fireEvent, render, screen, waitFor} from '@testing-library/react';
import React from 'react';

import Plugin from './index';
import type {PluginRegistry, WebSocketMessage} from './host';
import {chartRoutes} from './test/fixtures';
import {fakeStore, hostState} from './test/host';
import {mockServer} from './test/server';

const rhs = {id: 'rhs', showRHSPlugin: {type: 'show'}, hideRHSPlugin: {type: 'hide'}, toggleRHSPlugin: {type: 'toggle'}};

function fullRegistry() {
    const handlers: Record<string, (msg: WebSocketMessage<unknown>) => void> = {};
    const registry = {
        registerRightHandSidebarComponent: jest.fn((_c: React.ComponentType, _t: React.ReactNode) => rhs),
        registerChannelHeaderButtonAction: jest.fn(),
        registerAppBarComponent: jest.fn(),
        registerLeftSidebarHeaderComponent: jest.fn(),
        registerWebSocketEventHandler: jest.fn((event: string, h: (msg: WebSocketMessage<unknown>) => void) => {
            handlers[event] = h;
        }),
        registerReconnectHandler: jest.fn(),
        registerPostDropdownMenuAction: jest.fn((_text: string, _action: (postId: string) => void, _filter?: (postId: string) => boolean) => 'menu'),
    };
    return {registry, handlers};
}

test('registers the panel, header button, App Bar icon, sidebar widget and websocket handlers', () => {
    const {registry} = fullRegistry();
    const store = fakeStore();
    new Plugin().initialize(registry, store);

    expect(registry.registerRightHandSidebarComponent).toHaveBeenCalledWith(expect.any(Function), 'DevOps Channels');
    const [, action, dropdown, tooltip] = registry.registerChannelHeaderButtonAction.mock.calls[0];
    expect([dropdown, tooltip]).toEqual(['DevOps Channels', 'Open the DevOps Channels panel']);
    action();
    expect(store.dispatch).toHaveBeenCalledWith(rhs.toggleRHSPlugin);

    const [iconUrl] = registry.registerAppBarComponent.mock.calls[0];
    expect(iconUrl).toMatch(/^data:image\/svg\+xml/);
    expect(registry.registerLeftSidebarHeaderComponent).toHaveBeenCalled();
    expect(registry.registerWebSocketEventHandler.mock.calls.map((c) => c[0])).toEqual([
        'custom_devops-channels_workflow_changed',
        'custom_devops-channels_open_panel',
    ]);
    expect(document.getElementById('devops-channels-styles')).not.toBeNull();
});

test('the open_panel event opens the panel', () => {
    const {registry, handlers} = fullRegistry();
    const store = fakeStore();
    new Plugin().initialize(registry, store);
    handlers['custom_devops-channels_open_panel']({event: 'custom_devops-channels_open_panel', data: {}});
    expect(store.dispatch).toHaveBeenCalledWith(rhs.showRHSPlugin);
});

test('a workflow_changed websocket event makes the mounted widget refetch; malformed ones are ignored', async () => {
    const server = mockServer({'GET /me/summary': {body: {active: {incident: 1}}}});
    const {registry, handlers} = fullRegistry();
    new Plugin().initialize(registry, fakeStore());
    const Widget = registry.registerLeftSidebarHeaderComponent.mock.calls[0][0] as React.ComponentType;
    render(<Widget/>);
    await screen.findByText('Incidents: 1');

    const send = (data: unknown) => act(() => handlers['custom_devops-channels_workflow_changed']({event: 'custom_devops-channels_workflow_changed', data}));
    send({what: 'created'});
    send({workflow_id: 'w1', team_id: 'team1', what: 'exploded'});
    send(null);
    expect(server.count('GET /me/summary')).toBe(1);

    server.route('GET /me/summary', {body: {active: {incident: 2}}});
    send({workflow_id: 'w1', channel_id: 'c1', team_id: 'team1', what: 'created'});
    expect(await screen.findByText('Incidents: 2')).toBeInTheDocument();
});

test('after the websocket reconnects, the mounted views refetch what they show', async () => {
    const server = mockServer({'GET /me/summary': {body: {active: {incident: 1}}}});
    const {registry} = fullRegistry();
    new Plugin().initialize(registry, fakeStore());
    const Widget = registry.registerLeftSidebarHeaderComponent.mock.calls[0][0] as React.ComponentType;
    render(<Widget/>);
    await screen.findByText('Incidents: 1');
    expect(registry.registerReconnectHandler).toHaveBeenCalledTimes(1);

    // A workflow started while the connection was down: its event never arrived.
    server.route('GET /me/summary', {body: {active: {incident: 2}}});
    const [reconnected] = registry.registerReconnectHandler.mock.calls[0] as unknown as [() => void];
    act(() => reconnected());
    expect(await screen.findByText('Incidents: 2')).toBeInTheDocument();
    expect(server.count('GET /me/summary')).toBe(2);
});

test('the post menu\'s "Start a workflow…" opens the panel\'s start form prefilled from the message, and starts from it', async () => {
    const server = mockServer({
        ...chartRoutes,
        'GET /workflows': {body: {items: [], next_cursor: ''}},
        'GET /templates': {body: {items: [
            {type: 'incident', name: 'Incident', severities: ['sev1', 'sev2'], private: false, can_start: true},
            {type: 'release', name: 'Release', severities: [], private: false, can_start: true},
        ]}},
        'POST /workflows': (req) => ({status: 201, body: {id: 'wf9', channel_name: 'inc-9-checkout', title: (req.body as {title: string}).title}}),
    });
    const {registry} = fullRegistry();
    const state = hostState();
    const store = fakeStore({entities: {...state.entities, posts: {posts: {
        p1: {message: '## Checkout errors in EU\nSince 14:02, 12% of orders fail.'},
        p2: {message: 'joined the channel', type: 'system_join_channel'},
    }}}});
    new Plugin().initialize(registry, store);

    const [text, action, filter] = registry.registerPostDropdownMenuAction.mock.calls[0];
    expect(text).toBe('Start a workflow…');
    expect(filter?.('p1')).toBe(true);
    expect(filter?.('p2')).toBe(false);

    const Panel = registry.registerRightHandSidebarComponent.mock.calls[0][0];
    render(<Panel/>);
    act(() => action('p1'));
    expect(store.dispatch).toHaveBeenCalledWith(rhs.showRHSPlugin);

    const form = await screen.findByRole('form', {name: 'Start a workflow'});
    expect(screen.getByRole('heading', {name: 'Start a workflow from a message'})).toBeInTheDocument();
    expect(screen.getByLabelText('Title')).toHaveValue('Checkout errors in EU');
    fireEvent.change(screen.getByLabelText('Type'), {target: {value: 'incident'}});
    fireEvent.change(screen.getByLabelText('Severity'), {target: {value: 'sev1'}});
    fireEvent.submit(form);

    await screen.findByText(/the message's thread links to it/);
    expect(server.last('POST /workflows')?.body).toEqual({
        team_id: 'team1', type: 'incident', title: 'Checkout errors in EU', severity: 'sev1', private: false, force: false, from_post_id: 'p1',
    });
    fireEvent.click(screen.getByRole('button', {name: 'Done'}));
    await waitFor(() => expect(screen.queryByRole('heading', {name: 'Start a workflow from a message'})).not.toBeInTheDocument());
});

test('a message the host has not loaded leaves the title to the server', async () => {
    const server = mockServer({
        ...chartRoutes,
        'GET /workflows': {body: {items: [], next_cursor: ''}},
        'GET /templates': {body: {items: [{type: 'incident', name: 'Incident', severities: [], private: false, can_start: true}]}},
        'POST /workflows': {status: 404, body: {error: 'No message found at that link that you can read.'}},
    });
    const {registry} = fullRegistry();
    new Plugin().initialize(registry, fakeStore());
    const [, action] = registry.registerPostDropdownMenuAction.mock.calls[0];
    const Panel = registry.registerRightHandSidebarComponent.mock.calls[0][0];
    render(<Panel/>);
    act(() => action('unknown'));
    const form = await screen.findByRole('form', {name: 'Start a workflow'});
    expect(screen.getByLabelText('Title')).toHaveValue('');
    fireEvent.submit(form);
    expect(await screen.findByRole('alert')).toHaveTextContent('No message found at that link that you can read.');
    expect(server.last('POST /workflows')?.body).toMatchObject({title: '', from_post_id: 'unknown'});
});

test('loads on a host that lacks every optional registry method', () => {
    const registry: PluginRegistry = {};
    expect(() => new Plugin().initialize(registry, fakeStore())).not.toThrow();
});

test('registers itself with the host', () => {
    const registerPlugin = jest.fn();
    window.registerPlugin = registerPlugin;
    jest.isolateModules(() => {
        jest.requireActual('./index');
    });
    expect(registerPlugin).toHaveBeenCalledWith('devops-channels', expect.any(Object));
    delete window.registerPlugin;
});
