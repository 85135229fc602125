import {act, render, screen} from '@testing-library/react';
import React from 'react';

import Plugin from './index';
import type {PluginRegistry, WebSocketMessage} from './host';
import {fakeStore} from './test/host';
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
