// The plugin's REST resources, as the server sends them (times are ms since the epoch).
import type {ChangeKind} from './changes.generated';

export type WorkflowStatus = 'active' | 'closed';

// Where a discipline comes from: mapped and granted are verified (they open gates).
export type DisciplineSource = 'mapped' | 'granted' | 'declared' | 'none';

// GET /me/discipline.
export interface UserDiscipline {
    discipline: string;
    source: DisciplineSource;
    verified: boolean;
    granted_by?: string;
    granted_at?: number;
}

export interface Signoff {
    stage: string;
    discipline: string;
    user_id: string;
    at: number;
    note: string;
    // '' for sign-offs made before sources were recorded.
    source?: DisciplineSource | '';
}

export interface StatusUpdate {
    text: string;
    user_id: string;
    at: number;
}

export interface Workflow {
    id: string;
    team_id: string;
    channel_id: string;
    channel_name: string;
    type: string;
    title: string;
    severity: string;
    stage: string;
    status: WorkflowStatus;
    seq: number;
    private: boolean;
    lead_id: string;
    roles: Record<string, string>;
    signoffs: Signoff[] | null;
    last_status: StatusUpdate | null;
    created_at: number;
    updated_at: number;
    closed_at: number;
    // When the workflow entered its current stage.
    stage_entered_at: number;
    // When the lead is next reminded to post a status update; 0 when no reminder is set.
    next_reminder_at: number;
    // Custom fields set, by key: the value as stored (a user field holds a user id).
    fields?: Record<string, string>;
}

export type FieldType = 'text' | 'number' | 'select' | 'user' | 'url';

// A custom field a template declares.
export interface Field {
    key: string;
    name: string;
    type: FieldType;
    options?: string[];
    // The stage that cannot be entered while the field is empty.
    required_at?: string;
}

// A field with a workflow's value: as stored, and as people read it (a user as @name); '' when not set.
export interface FieldValue extends Field {
    value: string;
    display: string;
}

// GET /stats/close-times: the median time to close per week (Monday 00:00 UTC, oldest first) per type.
export interface CloseTimes {
    weeks: number[];
    series: CloseTimesSeries[];
}

export interface CloseTimesSeries {
    type: string;
    name: string;
    closed: number[];
    median_ms: (number | null)[];
}

export interface Stage {
    name: string;
    gate: string[] | null;
}

export interface TemplateDetail {
    name: string;
    lead_role: string;
    roles: string[];
    severities: string[];
    stages: Stage[];
}

// What the current user may do; the server enforces it, the panel only hides what would be refused.
export interface Permissions {
    change_stage: boolean;
    assign_roles: boolean;
    close: boolean;
    reopen: boolean;
    update_status: boolean;
    manage_tasks: boolean;
    set_fields?: boolean;
    signoff_disciplines: string[] | null;
}

// How the template a workflow runs on (the version it started from) stands against its type's template now.
export interface PinnedTemplate {
    version: string;
    recorded_at: number;
    current: boolean;
    changed: string[];
    defined: boolean;
    enabled: boolean;
}

export interface WorkflowView extends Workflow {
    template: TemplateDetail;
    // Absent only in an answer merged from a mutation, which carries the workflow alone.
    pinned_template?: PinnedTemplate;
    permissions: Permissions;
    // Absent only in an answer merged from a mutation.
    field_values?: FieldValue[];
}

export interface TemplateSummary {
    type: string;
    name: string;
    severities: string[];
    private: boolean;
    can_start: boolean;
}

export interface Task {
    id: string;
    number: number;
    text: string;
    stage: string;
    discipline: string;
    assignee_id: string;
    // All of its assignees, the first being assignee_id (servers before the inbox send none).
    assignee_ids?: string[];
    due_at: number;
    done: boolean;
    done_by: string;
    done_at: number;
}

export interface Member {
    user_id: string;
    username: string;
    display_name: string;
    discipline: string;
    role: string;
    timezone: string;
    local_time: string;
    in_working_hours: boolean;
    discipline_source?: DisciplineSource | '';
    granted_by?: string;
}

export interface TimelineEvent {
    id: string;
    type: string;
    at: number;
    actor_id: string;
    summary: string;
    post_id: string;
}

export interface Page<T> {
    items: T[];
    next_cursor: string;
}

export interface Items<T> {
    items: T[];
}

export interface Summary {
    active: Record<string, number>;
}

export type {ChangeKind};

// The websocket event: ids and a word, never the object, so each view refetches what it shows.
export interface WorkflowChange {
    workflow_id: string;
    channel_id: string;
    team_id: string;
    what: ChangeKind;
}

// Who is on call for one of the team's rotations (GET /oncall).
export interface OnCall {
    rotation_id: string;
    rotation: string;
    discipline: string;
    user_id: string;
    username?: string;
    timezone?: string;
    local_time?: string;

    // When they stop being on call (ms); 0 when nobody else comes within a week.
    until: number;
    reason: string;
    next?: OnCall;
}
