// The slice of the Mattermost web app we depend on: the plugin registry and the host Redux store.
// Declared here instead of pulling in mattermost-redux, which would cost bundle size for a few types.
import type React from 'react';

import type {AdminSettingProps} from './components/SettingsEditor';

export interface HostState {
    entities?: {
        channels?: {currentChannelId?: string};
        teams?: {currentTeamId?: string; teams?: Record<string, {name: string; display_name?: string} | undefined>};
        users?: {currentUserId?: string; profiles?: Record<string, {username: string; timezone?: UserTimezone} | undefined>};
        general?: {config?: {SiteURL?: string}};
        // The theme is a preference: a new object here may mean a new theme.
        preferences?: unknown;
        posts?: {posts?: Record<string, {message?: string; type?: string} | undefined>};
    };
}

// Mattermost's time zone setting on a user profile.
export interface UserTimezone {
    useAutomaticTimezone?: string | boolean;
    automaticTimezone?: string;
    manualTimezone?: string;
}

export interface HostAction {
    type: string;
    [key: string]: unknown;
}

export interface HostStore {
    getState(): HostState;
    subscribe(listener: () => void): () => void;
    dispatch(action: HostAction): unknown;
}

export interface WebSocketMessage<T> {
    event: string;
    data: T;
}

export interface RHSRegistration {
    id: string;
    showRHSPlugin: HostAction;
    hideRHSPlugin: HostAction;
    toggleRHSPlugin: HostAction;
}

// Every method is optional: older or newer hosts may lack one, and the plugin must still load.
export interface PluginRegistry {
    registerRightHandSidebarComponent?(component: React.ComponentType, title: React.ReactNode): RHSRegistration;
    registerChannelHeaderButtonAction?(icon: React.ReactNode, action: () => void, dropdownText: string, tooltipText: string): string;
    registerAppBarComponent?(iconUrl: string, action: () => void, tooltipText: string): string;
    registerLeftSidebarHeaderComponent?(component: React.ComponentType): string;
    registerWebSocketEventHandler?(event: string, handler: (msg: WebSocketMessage<unknown>) => void): void;
    unregisterWebSocketEventHandler?(event: string): void;
    registerReconnectHandler?(handler: () => void): void;
    registerAdminConsoleCustomSetting?(key: string, component: React.ComponentType<AdminSettingProps>, options?: {showTitle?: boolean}): void;
    registerPostDropdownMenuAction?(text: string, action: (postId: string) => void, filter?: (postId: string) => boolean): string;
}

export const selectSiteURL = (s: HostState): string => s.entities?.general?.config?.SiteURL ?? '';
export const selectChannelId = (s: HostState): string => s.entities?.channels?.currentChannelId ?? '';
export const selectTeamId = (s: HostState): string => s.entities?.teams?.currentTeamId ?? '';
export const selectUserId = (s: HostState): string => s.entities?.users?.currentUserId ?? '';
export const selectTeamName = (s: HostState): string => {
    const teams = s.entities?.teams;
    return teams?.teams?.[teams.currentTeamId ?? '']?.name ?? '';
};
export const selectPost = (s: HostState, postId: string) => s.entities?.posts?.posts?.[postId];
export const selectProfiles = (s: HostState) => s.entities?.users?.profiles;

// The user's Mattermost time zone; '' means the browser's own.
export const selectTimezone = (s: HostState): string => {
    const users = s.entities?.users;
    const tz = users?.profiles?.[users.currentUserId ?? '']?.timezone;
    if (!tz) {
        return '';
    }
    const automatic = tz.useAutomaticTimezone === true || tz.useAutomaticTimezone === 'true';
    return (automatic ? tz.automaticTimezone : tz.manualTimezone) || '';
};
