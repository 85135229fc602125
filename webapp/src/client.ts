// The one place that talks to the plugin's REST API.
import type {SettingsCheck, SettingsEntry} from './settings';
import type {CloseTimes, Items, Member, OnCall, Page, Summary, Task, TemplateSummary, TimelineEvent, Workflow, WorkflowView} from './types';

export const PLUGIN_ID = 'devops-channels';

export class ApiError extends Error {
    constructor(readonly status: number, message: string) {
        super(message);
        this.name = 'ApiError';
    }
}

export interface ListQuery {
    team_id?: string;
    type?: string;
    status?: 'active' | 'closed';
    channel_id?: string;
    mine?: boolean;
    q?: string;
    cursor?: string;
    per_page?: number;
}

export interface StartRequest {
    team_id: string;
    type: string;
    title: string;
    severity: string;
    private: boolean;
    force?: boolean;

    // A message to start from (the post menu): the server checks the starter may read it.
    from_post_id?: string;
}

export interface NewTask {
    text: string;
    assignee_id?: string;
    due_at?: number;
}

type Query = Record<string, string | number | boolean | undefined>;

function queryString(q: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) {
        // Absent, empty and false all mean "no filter" to the server.
        if (v !== undefined && v !== '' && v !== false) {
            params.set(k, String(v));
        }
    }
    const s = params.toString();
    return s ? `?${s}` : '';
}

// Mattermost rejects state-changing requests without the CSRF token it set in this cookie.
function csrfToken(): string {
    const m = document.cookie.match(/(?:^|;\s*)MMCSRF=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : '';
}

export function errorMessage(err: unknown): string {
    if (err instanceof Error && err.message) {
        return err.message;
    }
    return 'Something went wrong.';
}

export function createApi(siteURL: () => string) {
    async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
        const url = `${siteURL()}/plugins/${PLUGIN_ID}/api/v1${path}`;
        const headers: Record<string, string> = {
            'X-Requested-With': 'XMLHttpRequest',
            'X-CSRF-Token': csrfToken(),
        };
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
        }
        let res: Response;
        try {
            res = await fetch(url, {method, credentials: 'include', headers, body: body === undefined ? undefined : JSON.stringify(body)});
        } catch {
            throw new ApiError(0, 'Could not reach the server. Check your connection and try again.');
        }
        const text = await res.text();
        let json: unknown;
        try {
            json = text ? JSON.parse(text) : undefined;
        } catch {
            json = undefined;
        }
        if (!res.ok) {
            const message = (json as {error?: unknown} | undefined)?.error;
            throw new ApiError(res.status, typeof message === 'string' && message ? message : `The server answered ${res.status}.`);
        }
        return json as T;
    }

    const wf = (id: string) => `/workflows/${encodeURIComponent(id)}`;

    return {
        listWorkflows: (q: ListQuery) => call<Page<Workflow>>('GET', `/workflows${queryString({...q})}`),
        getWorkflow: (id: string) => call<WorkflowView>('GET', wf(id)),
        startWorkflow: (req: StartRequest) => call<Workflow>('POST', '/workflows', req),
        templates: (teamId: string) => call<Items<TemplateSummary>>('GET', `/templates${queryString({team_id: teamId})}`),
        postStatus: (id: string, text: string) => call<Workflow>('POST', `${wf(id)}/status`, {text}),
        changeStage: (id: string, stage: string) => call<Workflow>('POST', `${wf(id)}/stage`, {stage}),
        signoff: (id: string, stage: string, note: string) => call<Workflow>('POST', `${wf(id)}/signoff`, {stage, note}),
        close: (id: string, summary: string) => call<Workflow>('POST', `${wf(id)}/close`, {summary}),
        reopen: (id: string) => call<Workflow>('POST', `${wf(id)}/reopen`, {}),
        tasks: (id: string) => call<Items<Task>>('GET', `${wf(id)}/tasks`),
        addTask: (id: string, task: NewTask) => call<Task>('POST', `${wf(id)}/tasks`, task),
        setTaskDone: (id: string, number: number, done: boolean) => call<Task>('PATCH', `${wf(id)}/tasks/${number}`, {done}),
        members: (id: string) => call<Items<Member>>('GET', `${wf(id)}/members`),
        timeline: (id: string, cursor: string, perPage = 20) => call<Page<TimelineEvent>>('GET', `${wf(id)}/timeline${queryString({cursor, per_page: perPage, order: 'desc'})}`),
        summary: (teamId: string) => call<Summary>('GET', `/me/summary${queryString({team_id: teamId})}`),
        checkSettings: (entry: SettingsEntry) => call<SettingsCheck>('POST', '/settings/check', entry),
        // Sets custom fields by key; null clears one. All or nothing.
        setFields: (id: string, values: Record<string, string | null>) => call<WorkflowView>('PATCH', `${wf(id)}/fields`, values),
        closeTimes: (teamId: string) => call<CloseTimes>('GET', `/stats/close-times${queryString({team_id: teamId})}`),
        onCall: (teamId: string) => call<Items<OnCall>>('GET', `/oncall${queryString({team_id: teamId})}`),
    };
}

export type Api = ReturnType<typeof createApi>;
