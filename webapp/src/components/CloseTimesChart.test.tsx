import {screen, within} from '@testing-library/react';
import React from 'react';

import {closeTimes} from '../test/fixtures';
import {renderWithHost} from '../test/host';
import {mockServer} from '../test/server';

import CloseTimesChart from './CloseTimesChart';

const H = 3_600_000;
const series = [
    {type: 'incident', name: 'Incident', closed: [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3], median_ms: [H, null, null, null, null, null, null, null, null, null, null, 3 * H]},
    {type: 'support', name: 'Support escalation', closed: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], median_ms: [null, null, null, null, 48 * H, null, null, null, null, null, null, null]},
];

test('draws one line per type with a summary and a table of every figure', async () => {
    const server = mockServer({'GET /stats/close-times': {body: closeTimes(series)}});
    renderWithHost(<CloseTimesChart teamId='team1'/>);
    const img = await screen.findByRole('img');
    expect(img).toHaveAccessibleName(/^Median time to close per week, the last 12 weeks\. Incident: 5 closed, this week's median 3 h; Support escalation: 1 closed, this week's median —\./);
    expect(server.last('GET /stats/close-times')?.query.get('team_id')).toBe('team1');
    // A line is broken where a week has no median: incident has two separate points.
    const paths = img.querySelectorAll('path');
    expect(paths).toHaveLength(2);
    expect(paths[0].getAttribute('d')?.match(/M/g)).toHaveLength(2);
    expect(img.querySelectorAll('circle')).toHaveLength(3);
    expect(paths[0].getAttribute('stroke-dasharray')).toBeNull();
    expect(paths[1].getAttribute('stroke-dasharray')).toBe('6 3');
    // The y axis tops at the longest median.
    expect(img).toHaveTextContent('2 d');

    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Week of', 'Incident', 'Support escalation']);
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(13);
    expect(rows[12]).toHaveTextContent('3 h (3)—');
    expect(rows[5]).toHaveTextContent('—2 d (1)');
    expect(screen.getByRole('list')).toHaveTextContent('IncidentSupport escalation');
});

test('says so when nothing closed', async () => {
    mockServer({'GET /stats/close-times': {body: closeTimes()}});
    renderWithHost(<CloseTimesChart teamId='team1'/>);
    expect(await screen.findByText('No workflows closed in the last 12 weeks.')).toBeInTheDocument();
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
});

test('a refusal is shown with a way to try again', async () => {
    mockServer({'GET /stats/close-times': {status: 403, body: {error: 'You are not a member of that team.'}}});
    renderWithHost(<CloseTimesChart teamId='team1'/>);
    expect(await screen.findByRole('alert')).toHaveTextContent('You are not a member of that team.');
});
