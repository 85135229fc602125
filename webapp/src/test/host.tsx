// Renders components the way the plugin does inside Mattermost: with a host store,
// the real API client (over a mocked fetch) and the live-event bus.
import {render} from '@testing-library/react';
import React from 'react';

import {createApi} from '../client';
import {createDrafts} from '../drafts';
import {createEvents} from '../events';
import {HostContext} from '../hooks';
import type {Host} from '../hooks';
import type {HostState} from '../host';
import {selectSiteURL} from '../host';

export function hostState(overrides: {channelId?: string; teamId?: string; timezone?: string} = {}): HostState {
    return {
        entities: {
            channels: {currentChannelId: overrides.channelId ?? 'ch1'},
            teams: {currentTeamId: overrides.teamId ?? 'team1', teams: {team1: {name: 'eng'}}},
            users: {currentUserId: 'u1', profiles: {
                u1: {username: 'alice', timezone: {useAutomaticTimezone: 'false', manualTimezone: overrides.timezone ?? ''}},
                u9: {username: 'former'},
            }},
            general: {config: {SiteURL: 'http://mm.test'}},
        },
    };
}

export function fakeStore(initial: HostState = hostState()) {
    let state = initial;
    const listeners = new Set<() => void>();
    return {
        getState: () => state,
        subscribe(l: () => void) {
            listeners.add(l);
            return () => {
                listeners.delete(l);
            };
        },
        dispatch: jest.fn(),
        setState(next: HostState) {
            state = next;
            listeners.forEach((l) => l());
        },
    };
}

export function renderWithHost(ui: React.ReactElement, store = fakeStore()) {
    const host: Host = {
        store,
        api: createApi(() => selectSiteURL(store.getState())),
        events: createEvents(),
        drafts: createDrafts(),
        showPanel: jest.fn(),
    };
    const result = render(<HostContext.Provider value={host}>{ui}</HostContext.Provider>);
    return {...result, host, store};
}
