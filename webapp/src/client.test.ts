import {ApiError, createApi} from './client';
import {mockServer} from './test/server';

const api = createApi(() => 'http://mm.test/sub');

afterEach(() => {
    document.cookie = 'MMCSRF=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

test('sends cookies, the CSRF token and a JSON body to the plugin route', async () => {
    document.cookie = 'MMCSRF=tok%3D1';
    const server = mockServer({'POST /workflows/wf%201/status': {body: {id: 'wf 1'}}});
    await api.postStatus('wf 1', 'all good');
    const call = server.calls[0];
    expect((globalThis.fetch as jest.Mock).mock.calls[0][0]).toBe('http://mm.test/sub/plugins/devops-channels/api/v1/workflows/wf%201/status');
    expect(call.credentials).toBe('include');
    expect(call.headers).toMatchObject({'X-Requested-With': 'XMLHttpRequest', 'X-CSRF-Token': 'tok=1', 'Content-Type': 'application/json'});
    expect(call.body).toEqual({text: 'all good'});
});

test('leaves empty and false filters out of the query', async () => {
    const server = mockServer({'GET /workflows': {body: {items: [], next_cursor: ''}}});
    await api.listWorkflows({team_id: 't1', type: '', mine: false, q: 'db down', status: 'active'});
    expect(server.calls[0].query.toString()).toBe('team_id=t1&q=db+down&status=active');
});

test('turns {error} answers into ApiError with the message and status', async () => {
    mockServer({'GET /workflows/x': {status: 404, body: {error: 'No such workflow.'}}});
    await expect(api.getWorkflow('x')).rejects.toEqual(new ApiError(404, 'No such workflow.'));
    await expect(api.getWorkflow('x')).rejects.toMatchObject({status: 404});
});

test('explains answers without a message and unreachable servers', async () => {
    mockServer({'GET /templates': {status: 502, body: '<html>bad gateway</html>'}});
    await expect(api.templates('t')).rejects.toThrow('The server answered 502.');

    globalThis.fetch = jest.fn().mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(api.templates('t')).rejects.toThrow('Could not reach the server');
});
