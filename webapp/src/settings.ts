// The System Console's settings check: the shape of POST /settings/check's answer
// (config.CheckResult in server/config/check.go; server/config/testdata/check_result.json
// is an example both sides' tests read) and the settings given a checked editor.

// The free-text settings with a custom System Console editor: plugin.json gives them
// "type": "custom" (a test checks both lists agree) and the server summarizes them
// (config.SummarizedFields).
export const CHECKED_SETTINGS = ['TemplateOverrides', 'DisciplineMapping', 'BroadcastChannels', 'ReminderCadence'] as const;
export type CheckedSetting = typeof CHECKED_SETTINGS[number];

export interface SettingError {
    field: string;
    reason: string;
}

export interface SettingsCheck {
    errors: SettingError[];

    // Per accepted setting, what it means once read: type → stages, username →
    // discipline, type → channel ids, severity → cadence.
    parsed: Record<string, Record<string, string | string[]> | undefined>;
}

// The plugin's entry of the server configuration, as the System Console holds it.
export type SettingsEntry = Record<string, unknown>;

// entryWith is the saved entry with one setting as the admin is typing it. The
// server stores keys lower-cased; the typed value replaces that key, so the check
// never sees the same setting twice.
export function entryWith(saved: SettingsEntry | undefined, field: string, value: string): SettingsEntry {
    const out: SettingsEntry = {};
    for (const [k, v] of Object.entries(saved ?? {})) {
        if (k.toLowerCase() !== field.toLowerCase()) {
            out[k] = v;
        }
    }
    out[field.toLowerCase()] = value;
    return out;
}

// summaryLines reads a setting's summary as lines of text: stages in order, other
// lists comma-separated, sorted by key so that the lines stay put as the admin types.
export function summaryLines(field: string, summary: Record<string, string | string[]>): Array<[string, string]> {
    const joiner = field === 'TemplateOverrides' ? ' → ' : ', ';
    return Object.keys(summary).sort().map((k) => {
        const v = summary[k];
        return [k, Array.isArray(v) ? v.join(joiner) : v];
    });
}
