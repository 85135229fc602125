import type {CloseTimes, Member, Task, TimelineEvent, Workflow, WorkflowView} from '../types';

export function workflow(over: Partial<Workflow> = {}): Workflow {
    return {
        id: 'wf1',
        team_id: 'team1',
        channel_id: 'ch1',
        channel_name: 'rel-2-4-0',
        type: 'release',
        title: 'Release 2.4.0',
        severity: '',
        stage: 'qa',
        status: 'active',
        seq: 3,
        private: false,
        lead_id: 'u1',
        roles: {'release-manager': 'u1'},
        signoffs: [{stage: 'production', discipline: 'qa', user_id: 'u2', at: 1_700_000_000_000, note: 'all green'}],
        last_status: {text: 'QA half done', user_id: 'u1', at: 1_700_000_000_000},
        created_at: 1_699_000_000_000,
        updated_at: 1_700_000_000_000,
        closed_at: 0,
        stage_entered_at: 1_699_500_000_000,
        next_reminder_at: 0,
        ...over,
    };
}

export function view(over: Partial<WorkflowView> = {}): WorkflowView {
    return {
        ...workflow(over),
        template: {
            name: 'Release',
            lead_role: 'release-manager',
            roles: ['release-manager', 'qa-lead'],
            severities: [],
            stages: [
                {name: 'planning', gate: null},
                {name: 'qa', gate: null},
                {name: 'staging', gate: null},
                {name: 'production', gate: ['qa', 'security']},
            ],
        },
        permissions: {
            change_stage: true,
            assign_roles: true,
            close: true,
            reopen: false,
            update_status: true,
            manage_tasks: true,
            signoff_disciplines: [],
        },
        ...over,
    };
}

export function task(number: number, over: Partial<Task> = {}): Task {
    return {id: `t${number}`, number, text: `Task number ${number}`, stage: 'qa', discipline: 'qa', assignee_id: '', due_at: 0, done: false, done_by: '', done_at: 0, ...over};
}

export const members: Member[] = [
    {user_id: 'u1', username: 'alice', display_name: 'Alice Adams', discipline: 'developer', role: 'release-manager', timezone: 'Europe/Paris', local_time: '14:05', in_working_hours: true},
    {user_id: 'u2', username: 'bob', display_name: '', discipline: 'qa', role: '', timezone: 'Asia/Tokyo', local_time: '22:05', in_working_hours: false},
];

export function event(n: number): TimelineEvent {
    return {id: `e${n}`, type: 'status', at: 1_700_000_000_000 - n * 60_000, actor_id: 'u1', summary: `Event ${n}`, post_id: ''};
}

// Everything a workflow channel's panel fetches, answering with the given workflow.
export function workflowRoutes(v: WorkflowView = view()) {
    return {
        'GET /workflows': {body: {items: [v], next_cursor: ''}},
        [`GET /workflows/${v.id}`]: {body: v},
        [`GET /workflows/${v.id}/members`]: {body: {items: members}},
        [`GET /workflows/${v.id}/tasks`]: {body: {items: [task(1), task(2, {done: true, done_by: 'u2'})]}},
        [`GET /workflows/${v.id}/timeline`]: {body: {items: [event(1), event(2)], next_cursor: ''}},
    };
}

const WEEK = 7 * 24 * 3_600_000;

// GET /stats/close-times: 12 weeks from a Monday; no series unless given.
export function closeTimes(series: CloseTimes['series'] = []): CloseTimes {
    const first = Date.UTC(2026, 8, 14);
    return {weeks: Array.from({length: 12}, (_, i) => first + i * WEEK), series};
}

// What the team view fetches besides the list and the templates: its chart.
export const chartRoutes = {'GET /stats/close-times': {body: closeTimes()}};
