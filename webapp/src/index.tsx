import React from 'react';

import {createApi, PLUGIN_ID} from './client';
import ChannelHeaderIcon, {APP_BAR_ICON} from './components/Icon';
import Panel from './components/Panel';
import SettingsEditor from './components/SettingsEditor';
import type {AdminSettingProps} from './components/SettingsEditor';
import SidebarWidget from './components/SidebarWidget';
import {createDrafts, titleFromMessage} from './drafts';
import {asChange, createEvents} from './events';
import type {Host} from './hooks';
import {HostContext} from './hooks';
import type {HostStore, PluginRegistry} from './host';
import {selectPost, selectSiteURL} from './host';
import {CHECKED_SETTINGS} from './settings';
import {injectStyles} from './styles';

const TITLE = 'DevOps Channels';
const TOOLTIP = 'Open the DevOps Channels panel';
export const START_FROM_POST = 'Start a workflow…';

export default class Plugin {
    initialize(registry: PluginRegistry, store: HostStore) {
        injectStyles();
        const events = createEvents();
        const host: Host = {
            store,
            api: createApi(() => selectSiteURL(store.getState())),
            events,
            drafts: createDrafts(),
            showPanel: () => undefined,
        };

        // The host renders our components without props; the context carries the rest.
        const withHost = (Component: React.ComponentType) => function DevOpsChannels() {
            return <HostContext.Provider value={host}><Component/></HostContext.Provider>;
        };

        if (typeof registry.registerRightHandSidebarComponent === 'function') {
            const rhs = registry.registerRightHandSidebarComponent(withHost(Panel), TITLE);
            host.showPanel = () => store.dispatch(rhs.showRHSPlugin);
            const toggle = () => store.dispatch(rhs.toggleRHSPlugin);
            if (typeof registry.registerChannelHeaderButtonAction === 'function') {
                registry.registerChannelHeaderButtonAction(<ChannelHeaderIcon/>, toggle, TITLE, TOOLTIP);
            }
            // Hosts with the App Bar hide a plugin's header button once it has an App Bar
            // icon, so registering both shows exactly one entry point on every host.
            if (typeof registry.registerAppBarComponent === 'function') {
                registry.registerAppBarComponent(APP_BAR_ICON, toggle, TOOLTIP);
            }
        }
        // The post's "…" menu: the panel's start form, prefilled from the message. Only
        // where the panel can open; mobile apps run no plugin webapp and use
        // `/devops start <type> --from <link>` instead.
        if (typeof registry.registerPostDropdownMenuAction === 'function' && typeof registry.registerRightHandSidebarComponent === 'function') {
            registry.registerPostDropdownMenuAction(START_FROM_POST, (postId) => {
                host.drafts.set({postId, title: titleFromMessage(selectPost(store.getState(), postId)?.message ?? '')});
                host.showPanel();
            }, (postId) => !selectPost(store.getState(), postId)?.type?.startsWith('system_'));
        }
        if (typeof registry.registerLeftSidebarHeaderComponent === 'function') {
            registry.registerLeftSidebarHeaderComponent(withHost(SidebarWidget));
        }
        // The free-text settings get an editor that shows, as the admin types, what the
        // server reads and refuses (the save hook's validation, live checks included).
        if (typeof registry.registerAdminConsoleCustomSetting === 'function') {
            for (const field of CHECKED_SETTINGS) {
                const Editor = function DevOpsChannelsSetting(props: AdminSettingProps) {
                    return (
                        <HostContext.Provider value={host}>
                            <SettingsEditor {...props} field={field} check={host.api.checkSettings}/>
                        </HostContext.Provider>
                    );
                };
                registry.registerAdminConsoleCustomSetting(field, Editor);
            }
        }
        if (typeof registry.registerWebSocketEventHandler === 'function') {
            registry.registerWebSocketEventHandler(`custom_${PLUGIN_ID}_workflow_changed`, (msg) => {
                const change = asChange(msg?.data);
                if (change) {
                    events.emit(change);
                }
            });
            registry.registerWebSocketEventHandler(`custom_${PLUGIN_ID}_open_panel`, () => host.showPanel());
        }
        if (typeof registry.registerReconnectHandler === 'function') {
            registry.registerReconnectHandler(() => events.resync());
        }
    }
}

declare global {
    interface Window {
        registerPlugin?(id: string, plugin: Plugin): void;
    }
}

window.registerPlugin?.(PLUGIN_ID, new Plugin());
