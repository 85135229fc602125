import {act, fireEvent, screen} from '@testing-library/react';
import React, {useState} from 'react';

import manifest from '../../../plugin.json';
import checkResult from '../../../server/config/testdata/check_result.json';
import {ApiError} from '../client';
import Plugin from '../index';
import {CHECKED_SETTINGS} from '../settings';
import type {SettingsCheck, SettingsEntry} from '../settings';
import {fakeStore, renderWithHost} from '../test/host';
import SettingsEditor, {CHECK_DELAY_MS} from './SettingsEditor';
import type {AdminSettingProps} from './SettingsEditor';

// The server's own answer (server/config/check_test.go keeps it true to config.Check).
// Typed, not cast: tsc checks that the server's JSON is a SettingsCheck.
const answer: SettingsCheck = checkResult;
const saved = {templateoverrides: '', remindercadence: 'sev1=15m', webhooksecret: 'kept-as-saved-secret'};
const config = {PluginSettings: {Plugins: {'devops-channels': saved}}};

// Holds the value as the System Console does: onChange(id, value) sets it.
function Console({field, check, initial = ''}: {field: string; check: (e: SettingsEntry) => Promise<SettingsCheck>; initial?: string}) {
    const [value, setValue] = useState<unknown>(initial);
    const onChange: AdminSettingProps['onChange'] = (_id, v) => setValue(v);
    return (
        <SettingsEditor
            id={`PluginSettings.Plugins.devops-channels.${field.toLowerCase()}`}
            field={field}
            label={field}
            helpText='Help as in plugin.json.'
            value={value}
            config={config}
            onChange={onChange}
            check={check}
        />
    );
}

async function settle() {
    await act(async () => {
        jest.advanceTimersByTime(CHECK_DELAY_MS);
    });
}

beforeEach(() => {
    jest.useFakeTimers();
});

afterEach(() => {
    jest.useRealTimers();
});

test('checks once the admin pauses, with the saved settings and the typed value, and shows what the server reads', async () => {
    const check = jest.fn(async (_entry: SettingsEntry) => answer);
    renderWithHost(<Console field='TemplateOverrides' check={check}/>);
    await settle();
    expect(check).toHaveBeenCalledTimes(1);

    const input = screen.getByLabelText('TemplateOverrides');
    fireEvent.change(input, {target: {value: '{"release"'}});
    fireEvent.change(input, {target: {value: '{"release": {}}'}});
    expect(screen.getByRole('status')).toHaveTextContent('Checking…');
    act(() => {
        jest.advanceTimersByTime(CHECK_DELAY_MS - 1);
    });
    expect(check).toHaveBeenCalledTimes(1); // still typing
    await settle();
    expect(check).toHaveBeenCalledTimes(2);
    // The typed value replaces the stored key; the other settings go as saved.
    expect(check).toHaveBeenLastCalledWith({templateoverrides: '{"release": {}}', remindercadence: 'sev1=15m', webhooksecret: 'kept-as-saved-secret'});

    const status = screen.getByRole('status');
    expect(status).toHaveAttribute('aria-live', 'polite');
    expect(status).toHaveTextContent('Valid. Reads as:');
    expect(status).toHaveTextContent('releaseplanned → shipped');
    expect(status).toHaveTextContent('incidenttriage → investigating → mitigated → resolved');
    expect(input).toHaveAttribute('aria-invalid', 'false');
    expect(input).toHaveAttribute('aria-describedby', expect.stringContaining(status.id));
    // Another field's refusal is not this editor's.
    expect(screen.queryByRole('alert')).toBeNull();
});

test("shows the field's refusals as alerts, and nothing read back", async () => {
    renderWithHost(<Console field='ReminderCadence' initial='sve1=15m, default=1d' check={async () => answer}/>);
    await settle();
    const alerts = screen.getAllByRole('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toHaveTextContent('"sve1" is not a severity of any workflow type');
    expect(screen.getByRole('status')).toHaveTextContent('Would be refused on save:');
    expect(screen.getByLabelText('ReminderCadence')).toHaveAttribute('aria-invalid', 'true');
});

test('says when the check itself fails, and shows only the latest answer', async () => {
    const answers: Array<(r: SettingsCheck) => void> = [];
    let failNext = true;
    const check = jest.fn((_entry: SettingsEntry) => {
        if (failNext) {
            failNext = false;
            return Promise.reject(new ApiError(403, 'only a system admin may check the plugin\'s settings'));
        }
        return new Promise<SettingsCheck>((resolve) => answers.push(resolve));
    });
    renderWithHost(<Console field='DisciplineMapping' check={check}/>);
    await settle();
    expect(screen.getByRole('status')).toHaveTextContent("Could not check this setting: only a system admin may check the plugin's settings");

    const input = screen.getByLabelText('DisciplineMapping');
    fireEvent.change(input, {target: {value: 'alice: qa'}});
    await settle();
    fireEvent.change(input, {target: {value: 'alice: qa\nbob: qa'}});
    await settle();
    expect(answers).toHaveLength(2);
    await act(async () => {
        answers[1]({errors: [{field: 'DisciplineMapping', reason: 'line 2: no user named bob'}], parsed: {}});
    });
    await act(async () => {
        answers[0](answer); // the earlier, slower answer arrives last
    });
    expect(screen.getByRole('alert')).toHaveTextContent('line 2: no user named bob');
    expect(screen.getByRole('status')).not.toHaveTextContent('alice');
});

test('plugin.json gives exactly the checked settings a custom editor, and the plugin registers one for each', () => {
    const custom = manifest.settings_schema.settings.filter((s) => s.type === 'custom').map((s) => s.key);
    expect(custom).toEqual([...CHECKED_SETTINGS]);
    for (const s of manifest.settings_schema.settings.filter((x) => x.type === 'custom')) {
        expect(s.help_text).not.toEqual(''); // the editor shows the help text it is given
    }
    const registerAdminConsoleCustomSetting = jest.fn();
    new Plugin().initialize({registerAdminConsoleCustomSetting}, fakeStore());
    expect(registerAdminConsoleCustomSetting.mock.calls.map((c) => c[0])).toEqual([...CHECKED_SETTINGS]);
});
