import Plugin from './index';
import type {PluginRegistry} from './host';

test('registers the panel and a channel header button', () => {
    const registry: PluginRegistry = {
        registerRightHandSidebarComponent: jest.fn(() => ({id: 'rhs', showRHSPlugin: {type: 'show'}, hideRHSPlugin: {type: 'hide'}, toggleRHSPlugin: {type: 'toggle'}})),
        registerChannelHeaderButtonAction: jest.fn(),
    };
    const store = {getState: () => ({}), subscribe: () => () => undefined, dispatch: jest.fn()};
    new Plugin().initialize(registry, store);
    expect(registry.registerRightHandSidebarComponent).toHaveBeenCalled();
    expect(registry.registerChannelHeaderButtonAction).toHaveBeenCalled();
});

test('loads on a host without the registry methods', () => {
    expect(() => new Plugin().initialize({}, {getState: () => ({}), subscribe: () => () => undefined, dispatch: jest.fn()})).not.toThrow();
});
