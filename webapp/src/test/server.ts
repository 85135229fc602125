// A fake of the plugin's REST API at the fetch boundary: routes are "METHOD /path"
// (relative to /plugins/devops-channels/api/v1, query excluded).

export interface Reply {
    status?: number;
    body?: unknown;
}

export interface Request {
    method: string;
    path: string;
    query: URLSearchParams;
    body: unknown;
    headers: Record<string, string>;
    credentials?: string;
}

export type Handler = Reply | ((req: Request) => Reply | Promise<Reply>);

const BASE = /^.*\/plugins\/devops-channels\/api\/v1/;

export const NEVER: Handler = () => new Promise<Reply>(() => undefined);

export function mockServer(routes: Record<string, Handler> = {}) {
    const calls: Request[] = [];
    const table: Record<string, Handler> = {...routes};
    const fetchMock = jest.fn(async (input: string, init: RequestInit = {}) => {
        const url = new URL(input, 'http://localhost');
        const req: Request = {
            method: init.method ?? 'GET',
            path: url.pathname.replace(BASE, ''),
            query: url.searchParams,
            body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
            headers: (init.headers ?? {}) as Record<string, string>,
            credentials: init.credentials,
        };
        calls.push(req);
        const handler = table[`${req.method} ${req.path}`];
        const reply: Reply = handler === undefined ? {status: 500, body: {error: `unmocked route ${req.method} ${req.path}`}} : typeof handler === 'function' ? await handler(req) : handler;
        const status = reply.status ?? 200;
        return {
            ok: status >= 200 && status < 300,
            status,
            text: async () => (reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)),
        } as Response;
    });
    globalThis.fetch = fetchMock as unknown as typeof fetch;
    return {
        calls,
        route(key: string, handler: Handler) {
            table[key] = handler;
        },
        count(key: string) {
            return calls.filter((c) => `${c.method} ${c.path}` === key).length;
        },
        last(key: string) {
            return [...calls].reverse().find((c) => `${c.method} ${c.path}` === key);
        },
    };
}
