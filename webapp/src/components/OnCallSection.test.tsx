import {screen} from '@testing-library/react';
import React from 'react';

import {renderWithHost} from '../test/host';
import {mockServer} from '../test/server';

import OnCallSection from './OnCallSection';

const oncall = {
    rotation_id: 'r1', rotation: 'payments', discipline: 'operations', user_id: 'u1', username: 'omar', local_time: '14:05 Wed',
    timezone: 'Europe/Berlin', until: Date.UTC(2030, 11, 5, 9, 0), reason: 'shift',
    next: {rotation_id: 'r1', rotation: 'payments', discipline: 'operations', user_id: 'u2', username: 'dana', local_time: '08:05 Wed', until: 0, reason: 'shift'},
};

test('says who is on call for each rotation, with their local time, until when and who is next', async () => {
    const s = mockServer({'GET /oncall': {body: {items: [oncall]}}});
    renderWithHost(<OnCallSection teamId='team1'/>);
    const list = await screen.findByRole('list', {name: 'On call'});
    expect(list).toHaveTextContent('payments · operations');
    expect(list).toHaveTextContent('@omar (14:05 Wed local) · shift');
    expect(list).toHaveTextContent('then @dana (08:05 Wed local)');
    expect(s.last('GET /oncall')?.query.get('team_id')).toBe('team1');
});

test('a team without rotations is told how to make one', async () => {
    mockServer({'GET /oncall': {body: {items: []}}});
    renderWithHost(<OnCallSection teamId='team1'/>);
    expect(await screen.findByText(/No on-call rotations in this team/)).toBeInTheDocument();
});

test('an error is shown with a retry', async () => {
    mockServer({'GET /oncall': {status: 500, body: {error: 'The database is unavailable.'}}});
    renderWithHost(<OnCallSection teamId='team1'/>);
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable.');
});
