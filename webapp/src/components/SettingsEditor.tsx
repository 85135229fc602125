// A System Console editor for a free-text setting (template overrides, discipline
// mapping, broadcast channels, reminder cadence): a textarea, and below it, as the
// admin types, what the server reads the value as and why it would refuse it — the
// save hook's own validation, through POST /settings/check, so the page and the
// save never disagree.
import React, {useEffect, useRef, useState} from 'react';

import {errorMessage, PLUGIN_ID} from '../client';
import {entryWith, summaryLines} from '../settings';
import type {SettingError, SettingsCheck, SettingsEntry} from '../settings';
import {usePalette} from '../theme';

// Long enough to wait for a pause in typing, short enough to feel live.
export const CHECK_DELAY_MS = 400;

// What the System Console passes a custom setting (Mattermost's admin console).
export interface AdminSettingProps {
    id: string;
    label?: React.ReactNode;
    helpText?: React.ReactNode;
    value?: unknown;
    disabled?: boolean;
    setByEnv?: boolean;
    config?: {PluginSettings?: {Plugins?: Record<string, SettingsEntry | undefined>}};
    onChange(id: string, value: unknown): void;
}

interface Props extends AdminSettingProps {
    field: string;
    check(entry: SettingsEntry): Promise<SettingsCheck>;
}

type Outcome =
    | {state: 'checking'}
    | {state: 'checked'; errors: SettingError[]; summary?: Record<string, string | string[]>}
    | {state: 'failed'; message: string};

export default function SettingsEditor({id, field, label, helpText, value, disabled, setByEnv, config, onChange, check}: Props) {
    const palette = usePalette();
    const text = typeof value === 'string' ? value : '';
    // By value: the host may hand over an equal configuration as a new object.
    const saved = JSON.stringify(config?.PluginSettings?.Plugins?.[PLUGIN_ID] ?? {});
    // An answer is shown only for the value it judged: until the check of what is
    // typed now answers, the editor says it is checking.
    const asked = `${saved}\n${text}`;
    const [answer, setAnswer] = useState<{asked: string; outcome: Outcome}>();
    // Only the latest check may answer: an earlier one may arrive later.
    const latest = useRef(0);

    useEffect(() => {
        const seq = ++latest.current;
        const settle = (outcome: Outcome) => {
            if (seq === latest.current) {
                setAnswer({asked, outcome});
            }
        };
        const timer = setTimeout(() => {
            check(entryWith(JSON.parse(saved) as SettingsEntry, field, text)).then(
                (res) => settle({state: 'checked', errors: res.errors.filter((e) => e.field === field), summary: res.parsed[field]}),
                (err: unknown) => settle({state: 'failed', message: errorMessage(err)}),
            );
        }, CHECK_DELAY_MS);
        return () => clearTimeout(timer);
    }, [check, saved, field, text, asked]);

    const outcome: Outcome = answer?.asked === asked ? answer.outcome : {state: 'checking'};
    const helpId = `${id}-help`;
    const statusId = `${id}-check`;
    const errors = outcome.state === 'checked' ? outcome.errors : [];
    return (
        <div className='form-group dc-settings' style={palette as React.CSSProperties}>
            <label className='control-label col-sm-4' htmlFor={id}>{label}</label>
            <div className='col-sm-8'>
                <textarea
                    id={id}
                    className='form-control dc-settings-input'
                    rows={field === 'ReminderCadence' ? 2 : 6}
                    value={text}
                    disabled={disabled || setByEnv}
                    spellCheck={false}
                    aria-invalid={errors.length > 0}
                    aria-describedby={`${helpId} ${statusId}`}
                    onChange={(e) => onChange(id, e.target.value)}
                />
                <div className='help-text' id={helpId}>{helpText}</div>
                <div id={statusId} role='status' aria-live='polite' className='dc-settings-check'>
                    <Status outcome={outcome} field={field}/>
                </div>
                {errors.map((e) => <p key={e.reason} role='alert' className='dc-error dc-settings-error'>{e.reason}</p>)}
            </div>
        </div>
    );
}

function Status({outcome, field}: {outcome: Outcome; field: string}) {
    switch (outcome.state) {
    case 'checking':
        return <span className='dc-muted'>{'Checking…'}</span>;
    case 'failed':
        return <span className='dc-error'>{`Could not check this setting: ${outcome.message}`}</span>;
    }
    if (outcome.errors.length > 0) {
        return <span>{'Would be refused on save:'}</span>;
    }
    const lines = outcome.summary ? summaryLines(field, outcome.summary) : [];
    if (lines.length === 0) {
        return <span className='dc-muted'>{'Valid, and empty.'}</span>;
    }
    return (
        <>
            <span>{'Valid. Reads as:'}</span>
            <dl className='dc-facts'>
                {lines.map(([k, v]) => (
                    <React.Fragment key={k}>
                        <dt>{k}</dt>
                        <dd>{v}</dd>
                    </React.Fragment>
                ))}
            </dl>
        </>
    );
}
