import {act, fireEvent, screen} from '@testing-library/react';
import React from 'react';

import {renderWithHost} from '../test/host';
import {mockServer, NEVER} from '../test/server';

import SidebarWidget from './SidebarWidget';

test('renders nothing while loading', () => {
    mockServer({'GET /me/summary': NEVER});
    const {container} = renderWithHost(<SidebarWidget/>);
    expect(container).toBeEmptyDOMElement();
});

test('renders nothing when the user has no active workflow, or on errors', async () => {
    const server = mockServer({'GET /me/summary': {body: {active: {incident: 0}}}});
    const {container, unmount} = renderWithHost(<SidebarWidget/>);
    await act(async () => undefined);
    expect(server.count('GET /me/summary')).toBe(1);
    expect(container).toBeEmptyDOMElement();
    unmount();

    mockServer({'GET /me/summary': {status: 500, body: {error: 'boom'}}});
    const second = renderWithHost(<SidebarWidget/>);
    await act(async () => undefined);
    expect(second.container).toBeEmptyDOMElement();
});

test('counts active workflows by type and opens the panel', async () => {
    const server = mockServer({'GET /me/summary': {body: {active: {incident: 2, release: 1, 'pen-test': 1}}}});
    const {host} = renderWithHost(<SidebarWidget/>);
    const button = await screen.findByRole('button', {name: /My workflows/});
    expect(button).toHaveTextContent('Incidents: 2');
    expect(button).toHaveTextContent('Releases: 1');
    expect(button).toHaveTextContent('Pen-test: 1');
    expect(server.last('GET /me/summary')?.query.get('team_id')).toBe('team1');
    fireEvent.click(button);
    expect(host.showPanel).toHaveBeenCalled();
});

test('a closed event refreshes the counts', async () => {
    const server = mockServer({'GET /me/summary': {body: {active: {incident: 2}}}});
    const {host} = renderWithHost(<SidebarWidget/>);
    await screen.findByText('Incidents: 2');
    server.route('GET /me/summary', {body: {active: {incident: 1}}});
    act(() => host.events.emit({workflow_id: 'w', channel_id: 'c', team_id: 'team1', what: 'closed'}));
    expect(await screen.findByText('Incidents: 1')).toBeInTheDocument();
});
