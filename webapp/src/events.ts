// Fans the plugin's websocket events out to whichever views are mounted.
import type {ChangeKind, WorkflowChange} from './types';

export type ChangeListener = (change: WorkflowChange) => void;

export interface Events {
    emit(change: WorkflowChange): void;
    subscribe(listener: ChangeListener): () => void;
}

export function createEvents(): Events {
    const listeners = new Set<ChangeListener>();
    return {
        emit(change) {
            listeners.forEach((l) => l(change));
        },
        subscribe(listener) {
            listeners.add(listener);
            return () => {
                listeners.delete(listener);
            };
        },
    };
}

const KINDS: ChangeKind[] = ['stage', 'status', 'task', 'signoff', 'role', 'closed', 'reopened', 'created', 'timeline'];

// The payload crosses a process boundary; a malformed one is dropped rather than trusted.
export function asChange(data: unknown): WorkflowChange | null {
    const d = data as Partial<WorkflowChange> | null;
    if (!d || typeof d.workflow_id !== 'string' || !KINDS.includes(d.what as ChangeKind)) {
        return null;
    }
    return {workflow_id: d.workflow_id, channel_id: String(d.channel_id ?? ''), team_id: String(d.team_id ?? ''), what: d.what as ChangeKind};
}
