// Words and times as the panel shows them.

const TYPE_LABELS: Record<string, string> = {
    incident: 'Incidents',
    release: 'Releases',
    qa: 'QA cycles',
    support: 'Support escalations',
    security: 'Security issues',
    change: 'Changes',
    sprint: 'Sprints',
};

// The summary endpoint only names types; plural labels for the built-ins read better than keys.
export function typePlural(type: string): string {
    return TYPE_LABELS[type] ?? capitalize(type);
}

export function capitalize(s: string): string {
    return s ? s[0].toUpperCase() + s.slice(1) : s;
}

export function formatTime(ms: number): string {
    return new Date(ms).toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
}

export function formatDate(ms: number): string {
    return new Date(ms).toLocaleDateString(undefined, {dateStyle: 'medium'});
}

export function isoTime(ms: number): string {
    return new Date(ms).toISOString();
}
