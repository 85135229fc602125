import {act, fireEvent, screen, waitFor} from '@testing-library/react';
import React from 'react';

import {view, workflowRoutes} from '../test/fixtures';
import {renderWithHost} from '../test/host';
import {mockServer} from '../test/server';

import WorkflowPanel from './WorkflowPanel';

function setup(v = view(), extra = {}) {
    const server = mockServer({...workflowRoutes(v), ...extra});
    const result = renderWithHost(<WorkflowPanel id={v.id}/>);
    return {server, ...result};
}

test('moves to the next stage and shows the answer', async () => {
    const {server} = setup(view(), {'POST /workflows/wf1/stage': {body: view({stage: 'staging'})}});
    fireEvent.click(await screen.findByRole('button', {name: 'Move to staging'}));
    await waitFor(() => expect(document.querySelector('[aria-current="step"]')).toHaveTextContent('staging (current)'));
    expect(server.last('POST /workflows/wf1/stage')?.body).toEqual({stage: 'next'});
    expect(screen.getByRole('button', {name: 'Move to production'})).toBeInTheDocument();
    expect(screen.getByText('Needs sign-off from security')).toBeInTheDocument();
});

test('a refused stage change is shown inline', async () => {
    setup(view({stage: 'staging'}), {'POST /workflows/wf1/stage': {status: 403, body: {error: 'production needs a sign-off from security first.'}}});
    fireEvent.click(await screen.findByRole('button', {name: 'Move to production'}));
    expect(await screen.findByRole('alert')).toHaveTextContent('production needs a sign-off from security first.');
});

test('offers a sign-off only for my discipline on gates still waiting for it', async () => {
    const v = view({stage: 'staging'});
    v.permissions.signoff_disciplines = ['security'];
    const signed = view({stage: 'staging', signoffs: [...(v.signoffs ?? []), {stage: 'production', discipline: 'security', user_id: 'u1', at: 1, note: 'pen test ok'}]});
    const {server} = setup(v, {'POST /workflows/wf1/signoff': {body: signed}});

    fireEvent.change(await screen.findByLabelText('Sign-off note for production (optional)'), {target: {value: 'pen test ok'}});
    fireEvent.click(screen.getByRole('button', {name: 'Sign off production as security'}));
    await waitFor(() => expect(screen.getByText(/security: signed off by @alice — “pen test ok”/)).toBeInTheDocument());
    expect(server.last('POST /workflows/wf1/signoff')?.body).toEqual({stage: 'production', note: 'pen test ok'});
    expect(screen.queryByRole('button', {name: /Sign off/})).not.toBeInTheDocument();
});

test('no sign-off when my discipline is not on any gate', async () => {
    const v = view();
    v.permissions.signoff_disciplines = ['designer'];
    setup(v);
    await screen.findByRole('button', {name: 'Move to staging'});
    expect(screen.queryByRole('button', {name: /Sign off/})).not.toBeInTheDocument();
});

test('updates the status inline', async () => {
    const {server} = setup(view(), {'POST /workflows/wf1/status': {body: view({last_status: {text: 'Staging deploy started', user_id: 'u2', at: 2}})}});
    fireEvent.click(await screen.findByRole('button', {name: 'Update status'}));
    fireEvent.change(screen.getByLabelText('Status update'), {target: {value: 'Staging deploy started'}});
    fireEvent.click(screen.getByRole('button', {name: 'Post update'}));
    expect(await screen.findByText('Staging deploy started', {selector: '.dc-status-text'})).toBeInTheDocument();
    expect(server.last('POST /workflows/wf1/status')?.body).toEqual({text: 'Staging deploy started'});
    expect(screen.queryByLabelText('Status update')).not.toBeInTheDocument();
});

test('a refused status update keeps the text and shows why', async () => {
    setup(view(), {'POST /workflows/wf1/status': {status: 400, body: {error: 'The status is 2100 characters long; the limit is 2000.'}}});
    fireEvent.click(await screen.findByRole('button', {name: 'Update status'}));
    fireEvent.change(screen.getByLabelText('Status update'), {target: {value: 'x'.repeat(2100)}});
    fireEvent.click(screen.getByRole('button', {name: 'Post update'}));
    expect(await screen.findByRole('alert')).toHaveTextContent('the limit is 2000');
    expect(screen.getByLabelText('Status update')).toHaveValue('x'.repeat(2100));
});

test('without a status yet, says so', async () => {
    setup(view({last_status: null}));
    expect(await screen.findByText('No status update yet.')).toBeInTheDocument();
});

test('closes with a summary, then offers reopen when allowed', async () => {
    const closed = view({status: 'closed', closed_at: 3});
    closed.permissions = {...closed.permissions, close: false, reopen: true, change_stage: false};
    const {server} = setup(view(), {'POST /workflows/wf1/close': {body: closed}});
    fireEvent.click(await screen.findByRole('button', {name: 'Close workflow…'}));
    fireEvent.change(screen.getByLabelText('Closing summary (optional)'), {target: {value: 'Shipped'}});
    fireEvent.click(screen.getByRole('button', {name: 'Close workflow'}));
    expect(await screen.findByRole('button', {name: 'Reopen workflow'})).toBeInTheDocument();
    expect(screen.getByText('Closed', {selector: '.dc-badge'})).toBeInTheDocument();
    expect(server.last('POST /workflows/wf1/close')?.body).toEqual({summary: 'Shipped'});
    expect(screen.queryByRole('button', {name: /Move to/})).not.toBeInTheDocument();
});

test('names people the workflow no longer lists from the host profiles', async () => {
    setup(view({roles: {'release-manager': 'u1', 'qa-lead': 'u9'}}));
    expect(await screen.findByText('@former')).toBeInTheDocument();
});

test('a role event refetches the workflow and its people', async () => {
    const {server, host} = setup();
    await screen.findByRole('heading', {name: 'People (2)'});
    act(() => host.events.emit({workflow_id: 'wf1', channel_id: 'ch1', team_id: 'team1', what: 'role'}));
    await waitFor(() => expect(server.count('GET /workflows/wf1/members')).toBe(2));
    expect(server.count('GET /workflows/wf1')).toBe(2);
});

test('says when the workflow keeps an older template than its type has now', async () => {
    const pinned = {version: 'v1', recorded_at: 1, current: false, changed: ['stages'], defined: true, enabled: true};
    setup(view({pinned_template: pinned}));
    expect(await screen.findByText('kept from its start (the current one differs: stages)')).toBeInTheDocument();
});

test('no template line while the workflow runs on its type\'s current template', async () => {
    setup(view({pinned_template: {version: 'v2', recorded_at: 1, current: true, changed: [], defined: true, enabled: true}}));
    await screen.findByRole('button', {name: 'Move to staging'});
    expect(screen.queryByText('Template')).not.toBeInTheDocument();
});
