import React from 'react';

import type {HostStore, PluginRegistry} from './host';
import Panel from './components/Panel';

export const PLUGIN_ID = 'devops-channels';

export default class Plugin {
    initialize(registry: PluginRegistry, store: HostStore) {
        if (typeof registry.registerRightHandSidebarComponent !== 'function') {
            return;
        }
        const rhs = registry.registerRightHandSidebarComponent(Panel, 'DevOps Channels');
        if (typeof registry.registerChannelHeaderButtonAction === 'function') {
            registry.registerChannelHeaderButtonAction(<span>{'DevOps'}</span>, () => store.dispatch(rhs.toggleRHSPlugin), 'DevOps Channels', 'Open the DevOps Channels panel');
        }
    }
}

declare global {
    interface Window {
        registerPlugin?(id: string, plugin: Plugin): void;
    }
}

window.registerPlugin?.(PLUGIN_ID, new Plugin());
