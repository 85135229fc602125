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

// Times show in the user's Mattermost time zone ('' = the browser's); a zone the
// browser does not know falls back to the browser's rather than failing the panel.
function zoneOption(tz: string): {timeZone?: string} {
    if (!tz) {
        return {};
    }
    try {
        new Intl.DateTimeFormat(undefined, {timeZone: tz});
        return {timeZone: tz};
    } catch {
        return {};
    }
}

export function formatTime(ms: number, tz = ''): string {
    return new Date(ms).toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short', ...zoneOption(tz)});
}

export function formatDate(ms: number, tz = ''): string {
    return new Date(ms).toLocaleDateString(undefined, {dateStyle: 'medium', ...zoneOption(tz)});
}

export function isoTime(ms: number): string {
    return new Date(ms).toISOString();
}

// The wall clock in a zone at an instant, to the minute, as if it were UTC.
function wallClockAsUTC(ms: number, tz: string): number {
    const parts = new Intl.DateTimeFormat('en-US', {
        ...zoneOption(tz), hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    }).formatToParts(ms);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

// epochOfLocalInput reads a datetime-local value ("2026-12-02T15:30") as a time in the
// user's zone. The zone's offset is found at the guessed instant, twice, so a time
// next to a daylight-saving change lands on the right side of it. NaN if malformed.
export function epochOfLocalInput(value: string, tz = ''): number {
    const m = value.match(LOCAL_INPUT);
    if (!m) {
        return NaN;
    }
    const [y, mo, d, h, mi] = m.slice(1).map(Number);
    const asUTC = Date.UTC(y, mo - 1, d, h, mi);
    const offset = (at: number) => wallClockAsUTC(at, tz) - (Math.floor(at / 60_000) * 60_000);
    const guess = asUTC - offset(asUTC);
    return asUTC - offset(guess);
}

// localInputOf is the datetime-local value for an instant in the user's zone.
export function localInputOf(ms: number, tz = ''): string {
    return new Date(wallClockAsUTC(ms, tz)).toISOString().slice(0, 16);
}

// A span as people say it at a glance: "5 min", "2 h 5 min", "3 d 4 h".
export function formatDuration(ms: number): string {
    const minutes = Math.floor(Math.abs(ms) / 60_000);
    if (minutes < 1) {
        return 'less than a minute';
    }
    const d = Math.floor(minutes / 1440);
    const h = Math.floor((minutes % 1440) / 60);
    const m = minutes % 60;
    if (d > 0) {
        return h > 0 ? `${d} d ${h} h` : `${d} d`;
    }
    if (h > 0) {
        return m > 0 ? `${h} h ${m} min` : `${h} h`;
    }
    return `${m} min`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}
