import {fireEvent, screen, waitFor} from '@testing-library/react';
import React from 'react';

import {view, workflowRoutes} from '../test/fixtures';
import {renderWithHost} from '../test/host';
import {mockServer} from '../test/server';
import type {FieldValue, WorkflowView} from '../types';

import Panel from './Panel';
import WorkflowPanel from './WorkflowPanel';

const FIELDS: FieldValue[] = [
    {key: 'service', name: 'Service', type: 'text', required_at: 'production', value: '', display: ''},
    {key: 'cause', name: 'Cause', type: 'select', options: ['deploy', 'config'], value: 'deploy', display: 'deploy'},
    {key: 'owner', name: 'Owner', type: 'user', value: 'u2', display: '@bob'},
    {key: 'ticket', name: 'Ticket', type: 'url', value: 'https://jira.example.com/OPS-1', display: 'https://jira.example.com/OPS-1'},
];

function withFields(over: Partial<WorkflowView> = {}, fields = FIELDS): WorkflowView {
    const v = view(over);
    v.field_values = fields;
    v.permissions = {...v.permissions, set_fields: true};
    return v;
}

function setup(v = withFields(), extra = {}) {
    const server = mockServer({...workflowRoutes(v), ...extra});
    renderWithHost(<WorkflowPanel id={v.id}/>);
    return server;
}

test('shows each field, a link as a link, an empty required one with the stage it blocks', async () => {
    setup();
    const section = await screen.findByRole('region', {name: 'Fields'});
    expect(section).toHaveTextContent('Servicenot set (needed to enter production)');
    expect(section).toHaveTextContent('Owner@bob');
    expect(screen.getByRole('link', {name: 'https://jira.example.com/OPS-1'})).toHaveAttribute('rel', 'noopener noreferrer');
});

test('a template without fields shows no section', async () => {
    setup(withFields({}, []));
    await screen.findByRole('heading', {name: 'Release 2.4.0'});
    expect(screen.queryByRole('region', {name: 'Fields'})).not.toBeInTheDocument();
});

test('sends only what changed, an emptied field as null, and shows the answer', async () => {
    const saved = withFields({}, FIELDS.map((f) => (f.key === 'service' ? {...f, value: 'checkout', display: 'checkout'} : f.key === 'ticket' ? {...f, value: '', display: ''} : f)));
    const server = setup(withFields(), {'PATCH /workflows/wf1/fields': {body: saved}});
    fireEvent.click(await screen.findByRole('button', {name: 'Edit fields'}));
    const service = screen.getByLabelText('Service');
    expect(service).toHaveFocus();
    expect(service).toHaveAccessibleDescription('Needed to enter production.');
    expect(screen.getByLabelText('Owner')).toHaveValue('bob');
    expect(screen.getByLabelText('Cause')).toHaveValue('deploy');
    fireEvent.change(service, {target: {value: ' checkout '}});
    fireEvent.change(screen.getByLabelText('Ticket'), {target: {value: ''}});
    fireEvent.click(screen.getByRole('button', {name: 'Save fields'}));
    await waitFor(() => expect(screen.getByRole('region', {name: 'Fields'})).toHaveTextContent('Servicecheckout'));
    expect(server.last('PATCH /workflows/wf1/fields')?.body).toEqual({service: 'checkout', ticket: null});
    expect(screen.getByRole('button', {name: 'Edit fields'})).toHaveFocus();
});

test('a refused value keeps the form and what was typed, and says why', async () => {
    setup(withFields(), {'PATCH /workflows/wf1/fields': {status: 400, body: {error: 'Owner (owner) is a person of this team; there is no @nobody here.'}}});
    fireEvent.click(await screen.findByRole('button', {name: 'Edit fields'}));
    fireEvent.change(screen.getByLabelText('Owner'), {target: {value: 'nobody'}});
    fireEvent.click(screen.getByRole('button', {name: 'Save fields'}));
    expect(await screen.findByRole('alert')).toHaveTextContent('there is no @nobody here');
    expect(screen.getByLabelText('Owner')).toHaveValue('nobody');
});

test('nothing changed sends nothing; Escape closes the form', async () => {
    const server = setup();
    fireEvent.click(await screen.findByRole('button', {name: 'Edit fields'}));
    fireEvent.click(screen.getByRole('button', {name: 'Save fields'}));
    await waitFor(() => expect(screen.getByRole('button', {name: 'Edit fields'})).toHaveFocus());
    expect(server.count('PATCH /workflows/wf1/fields')).toBe(0);
    fireEvent.click(screen.getByRole('button', {name: 'Edit fields'}));
    fireEvent.keyDown(screen.getByLabelText('Cause'), {key: 'Escape'});
    await waitFor(() => expect(screen.queryByLabelText('Cause')).not.toBeInTheDocument());
});

test('no editing for those who may not set fields, nor on a closed workflow', async () => {
    const v = withFields({status: 'closed', closed_at: 3});
    setup(v);
    await screen.findByRole('region', {name: 'Fields'});
    expect(screen.queryByRole('button', {name: 'Edit fields'})).not.toBeInTheDocument();
});

test('saving is announced in the panel', async () => {
    const v = withFields();
    mockServer({...workflowRoutes(v), 'PATCH /workflows/wf1/fields': {body: v}});
    renderWithHost(<Panel/>);
    fireEvent.click(await screen.findByRole('button', {name: 'Edit fields'}));
    fireEvent.change(screen.getByLabelText('Cause'), {target: {value: 'config'}});
    fireEvent.click(screen.getByRole('button', {name: 'Save fields'}));
    await waitFor(() => expect(document.querySelector('.dc-announcer')).toHaveTextContent('Fields saved: 1 changed.'));
});

test('the move button says which field the next stage still needs', async () => {
    const required = FIELDS.map((f) => (f.key === 'service' ? {...f, required_at: 'staging'} : f));
    setup(withFields({}, required));
    await screen.findByRole('button', {name: 'Move to staging'});
    expect(screen.getByText('Needs the field Service (under Fields)')).toBeInTheDocument();
});
