import {CHANGE_KINDS} from './changes.generated';
import {asChange, createEvents, REFRESHES, refreshes} from './events';
import type {WorkflowChange} from './types';

const change = (what: WorkflowChange['what']): WorkflowChange => ({workflow_id: 'w1', channel_id: 'c1', team_id: 't1', what});

test('every kind the server publishes is accepted, the CI and severity kinds included; others are dropped', () => {
    for (const what of CHANGE_KINDS) {
        expect(asChange({workflow_id: 'w1', channel_id: 'c1', team_id: 't1', what})).toEqual(change(what));
    }
    expect(CHANGE_KINDS).toEqual(expect.arrayContaining(['severity', 'deploy', 'build', 'test', 'channel']));
    expect(asChange({workflow_id: 'w1', what: 'exploded'})).toBeNull();
    expect(asChange({workflow_id: 'w1', what: 'toString'})).toBeNull();
    expect(asChange({what: 'stage'})).toBeNull();
    expect(asChange(null)).toBeNull();
});

test('every change reaches the timeline; each view reloads for what it shows', () => {
    for (const what of CHANGE_KINDS) {
        expect(refreshes(change(what), 'timeline')).toBe(true);
    }
    expect(Object.keys(REFRESHES).sort()).toEqual([...CHANGE_KINDS].sort());
    // The team list shows severity; the panel shows severity and CI activity.
    expect(refreshes(change('severity'), 'list')).toBe(true);
    expect(refreshes(change('severity'), 'workflow')).toBe(true);
    expect(refreshes(change('deploy'), 'workflow')).toBe(true);
    // The widget counts my active workflows by type: neither severity nor CI moves a count.
    expect(refreshes(change('severity'), 'summary')).toBe(false);
    expect(refreshes(change('test'), 'summary')).toBe(false);
    expect(refreshes(change('task'), 'workflow')).toBe(false);
});

test('resync reaches every listener until it unsubscribes', () => {
    const events = createEvents();
    const a = jest.fn();
    const b = jest.fn();
    const offA = events.onResync(a);
    events.onResync(b);
    events.resync();
    offA();
    events.resync();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
});
