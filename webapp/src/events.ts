// Fans the plugin's websocket events out to whichever views are mounted.
import {CHANGE_KINDS} from './changes.generated';
import type {ChangeKind} from './changes.generated';
import type {WorkflowChange} from './types';

export type ChangeListener = (change: WorkflowChange) => void;

export interface Events {
    emit(change: WorkflowChange): void;
    subscribe(listener: ChangeListener): () => void;

    // After the websocket reconnects, events sent meanwhile are lost: every view refetches.
    resync(): void;
    onResync(listener: () => void): () => void;
}

function listenerSet<L extends (...args: never[]) => void>() {
    const listeners = new Set<L>();
    return {
        call: (...args: Parameters<L>) => listeners.forEach((l) => l(...args)),
        add(listener: L) {
            listeners.add(listener);
            return () => {
                listeners.delete(listener);
            };
        },
    };
}

export function createEvents(): Events {
    const changes = listenerSet<ChangeListener>();
    const resyncs = listenerSet<() => void>();
    return {emit: changes.call, subscribe: changes.add, resync: resyncs.call, onResync: resyncs.add};
}

// The views that load data and may need to reload it after a change.
export type View =
    | 'lookup' // the panel's "which workflow is this channel's?"
    | 'workflow' // a workflow's header, stages, gates, status and permissions
    | 'members' // its roster
    | 'tasks' // its checklist
    | 'timeline' // its timeline
    | 'list' // the team's workflows (title, type, severity, stage, privacy)
    | 'summary'; // the sidebar widget's counts of my active workflows by type

const ALL: readonly View[] = ['lookup', 'workflow', 'members', 'tasks', 'timeline', 'list', 'summary'];

// Which views each change kind makes stale: a view reloads only for what it shows. A
// Record over the server's generated kinds, so a kind the server starts publishing
// fails the type check until it is placed here. Every change adds to the timeline.
export const REFRESHES: Record<ChangeKind, readonly View[]> = {
    created: ALL,
    stage: ['workflow', 'tasks', 'timeline', 'list'], // entering a stage adds its checklist
    severity: ['workflow', 'timeline', 'list'],
    status: ['workflow', 'timeline'],
    task: ['tasks', 'timeline'],
    signoff: ['workflow', 'timeline'],
    role: ['workflow', 'members', 'timeline', 'list', 'summary'], // the lead is "mine"
    closed: ['workflow', 'timeline', 'list', 'summary'],
    reopened: ['workflow', 'timeline', 'list', 'summary'],
    timeline: ['timeline'],
    channel: ['lookup', 'workflow', 'timeline', 'list', 'summary'], // privacy, archive, team
    // CI/CD events land in the timeline and bump the workflow's activity.
    deploy: ['workflow', 'timeline'],
    build: ['workflow', 'timeline'],
    test: ['workflow', 'timeline'],
    fields: ['workflow', 'timeline'], // a custom field set or cleared
};

export function refreshes(change: WorkflowChange, view: View): boolean {
    return REFRESHES[change.what].includes(view);
}

// The payload crosses a process boundary; a malformed one is dropped rather than trusted.
export function asChange(data: unknown): WorkflowChange | null {
    const d = data as Partial<WorkflowChange> | null;
    if (!d || typeof d.workflow_id !== 'string' || !(CHANGE_KINDS as readonly string[]).includes(d.what as string)) {
        return null;
    }
    return {workflow_id: d.workflow_id, channel_id: String(d.channel_id ?? ''), team_id: String(d.team_id ?? ''), what: d.what as ChangeKind};
}
