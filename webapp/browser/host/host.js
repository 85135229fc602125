// A stand-in for the Mattermost web app, for the real-browser test and `make run`'s
// panel preview (labelled as a preview shell on every page). It gives the plugin
// what the web app gives plugins — React, ReactDOM, Redux, ReactRedux and PropTypes as
// globals, window.registerPlugin with a registry, the host Redux store, a logged-in
// session (the server's own cookies) and the server's websocket — inside a minimal
// shell: a channel sidebar, a channel header, the right-hand sidebar and the App Bar.
//
// The page's address says who logs in and how it looks:
//   <server>/<team>/channels/<channel>#login=<username>&password=<password>&theme=light|dark[&panel=open][&console=1]
// (console=1, for a system admin: the plugin's System Console settings, as the custom
// settings it registers render there, instead of the channel's messages.)
// window.devopsHost lets the test wait for it, switch themes and navigate.
// The server's own address (/) shows what `make run` started instead: run.json, which
// build/harness/cmd/devops-run writes beside this file, says what runs and who logs in.
(function () {
    'use strict';

    const h = React.createElement;
    const params = new URLSearchParams(location.hash.slice(1));
    history.replaceState(null, '', location.pathname);

    function Banner() {
        return h('p', {className: 'host-preview-banner', role: 'note'},
            h('strong', null, 'Preview shell'),
            ' — not the Mattermost web app. It loads the plugin\'s real webapp from this server, with a real login and websocket; ',
            h('a', {href: '/'}, 'what runs here'), '.');
    }

    function Landing({run}) {
        const preview = (username) => `/${run.team}/channels/${run.channel}#login=${encodeURIComponent(username)}&password=${encodeURIComponent(run.password)}&panel=open`;
        return h('main', {className: 'host-landing'},
            h(Banner),
            h('h1', null, 'DevOps Channels is running'),
            h('p', null, `A real Mattermost ${run.server_version || ''} server on PostgreSQL, with the DevOps Channels plugin ${run.plugin_version || ''}, `,
                `the team “${run.team}” and an incident under way: `, h('strong', null, run.title), '.'),
            h('p', null, 'The server is built from Mattermost\'s Go module, which ships no web client, so this address shows this page. ',
                'Point a Mattermost web, desktop or mobile client at it for the whole product (slash commands, the panel), ',
                'or use the API with the token ', h('code', null, 'make run'), ' printed.'),
            h('p', null, h('a', {className: 'host-landing-open', href: preview(run.users[1] ? run.users[1].username : 'admin')},
                `Open the panel preview on “${run.title}”`)),
            h('h2', null, 'Logins'),
            h('p', null, 'Every login has the password ', h('code', null, run.password), '.'),
            h('table', {className: 'host-landing-logins'},
                h('thead', null, h('tr', null, ['Username', 'Discipline', 'Time zone', ''].map((c) => h('th', {key: c}, c)))),
                h('tbody', null, run.users.map((u) => h('tr', {key: u.username},
                    h('td', null, h('code', null, u.username)), h('td', null, u.discipline), h('td', null, u.timezone || ''),
                    h('td', null, h('a', {href: preview(u.username)}, `preview as ${u.username}`)))))),
            h('p', null, 'Stop it with ', h('code', null, 'make stop'), '.'));
    }

    async function landing() {
        const res = await fetch('/static/devops-host/run.json');
        const root = ReactDOM.createRoot(document.getElementById('root'));
        if (!res.ok) {
            root.render(h('main', {className: 'host-landing'}, h(Banner),
                h('h1', null, 'The plugin\'s preview shell'),
                h('p', null, 'Open /<team>/channels/<channel>#login=<username>&password=<password> to preview the panel there.')));
            return;
        }
        root.render(h(Landing, {run: await res.json()}));
    }

    // Mattermost's Denim and Onyx themes, as the web app sets them on the page.
    const THEMES = {
        light: {
            'sidebar-bg': '#1e325c', 'sidebar-text': '#ffffff', 'sidebar-unread-text': '#ffffff',
            'sidebar-text-hover-bg': '#28427b', 'sidebar-text-active-border': '#5d89ea', 'sidebar-text-active-color': '#ffffff',
            'sidebar-header-bg': '#192a4d', 'sidebar-header-text-color': '#ffffff', 'sidebar-team-background': '#14213e',
            'online-indicator': '#3db887', 'away-indicator': '#ffbc1f', 'dnd-indicator': '#d24b4e',
            'mention-bg': '#ffffff', 'mention-color': '#1e325c', 'center-channel-bg': '#ffffff', 'center-channel-color': '#3f4350',
            'new-message-separator': '#cc8f00', 'link-color': '#386fe5', 'button-bg': '#1c58d9', 'button-color': '#ffffff',
            'error-text': '#d24b4e', 'mention-highlight-bg': '#ffd470', 'mention-highlight-link': '#1b1d22',
        },
        dark: {
            'sidebar-bg': '#202228', 'sidebar-text': '#ffffff', 'sidebar-unread-text': '#ffffff',
            'sidebar-text-hover-bg': '#27292f', 'sidebar-text-active-border': '#4a7ce8', 'sidebar-text-active-color': '#ffffff',
            'sidebar-header-bg': '#24272d', 'sidebar-header-text-color': '#ffffff', 'sidebar-team-background': '#1b1d22',
            'online-indicator': '#3db887', 'away-indicator': '#f5ab00', 'dnd-indicator': '#d24b4e',
            'mention-bg': '#1c58d9', 'mention-color': '#ffffff', 'center-channel-bg': '#191b1f', 'center-channel-color': '#e3e4e8',
            'new-message-separator': '#1adbdb', 'link-color': '#5d89ea', 'button-bg': '#1c58d9', 'button-color': '#ffffff',
            'error-text': '#da6c6e', 'mention-highlight-bg': '#0d6e6e', 'mention-highlight-link': '#a4f4f4',
        },
    };

    function setTheme(name) {
        const theme = THEMES[name] || THEMES.light;
        const style = document.documentElement.style;
        for (const [key, hex] of Object.entries(theme)) {
            const n = parseInt(hex.slice(1), 16);
            style.setProperty(`--${key}`, hex);
            style.setProperty(`--${key}-rgb`, `${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}`);
        }
        document.documentElement.dataset.theme = name;
    }
    setTheme(params.get('theme') || 'light');
    const adminConsole = params.get('console') === '1';

    // The server: same origin, its session cookies, and the CSRF header it checks.
    function csrfToken() {
        const m = document.cookie.match(/(?:^|;\s*)MMCSRF=([^;]*)/);
        return m ? decodeURIComponent(m[1]) : '';
    }

    async function mm(method, path, body) {
        const res = await fetch(path, {
            method,
            credentials: 'include',
            headers: {'X-Requested-With': 'XMLHttpRequest', 'X-CSRF-Token': csrfToken(), 'Content-Type': 'application/json'},
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json = await res.json().catch(() => null);
        if (!res.ok) {
            throw new Error(`${method} ${path}: ${res.status} ${json && json.message}`);
        }
        return {json, res};
    }

    // The store: the slice of the web app's state plugins read, and the RHS view.
    const initialState = {
        entities: {
            general: {config: {}},
            users: {currentUserId: '', profiles: {}},
            teams: {currentTeamId: '', teams: {}},
            channels: {currentChannelId: '', channels: {}, myChannels: []},
            posts: {posts: {}, order: []},
        },
        views: {rhs: {open: false, pluggableId: ''}, registry: 0},
    };

    function entities(state, key, change) {
        return {...state, entities: {...state.entities, [key]: {...state.entities[key], ...change}}};
    }

    function reducer(state = initialState, action) {
        const {entities: e} = state;
        switch (action.type) {
        case 'HOST_CONFIG':
            return entities(state, 'general', {config: action.config});
        case 'HOST_ME':
            return entities(state, 'users', {currentUserId: action.user.id, profiles: {...e.users.profiles, [action.user.id]: action.user}});
        case 'HOST_TEAM':
            return entities(state, 'teams', {currentTeamId: action.team.id, teams: {...e.teams.teams, [action.team.id]: action.team}});
        case 'HOST_MY_CHANNELS':
            return entities(state, 'channels', {myChannels: action.channels});
        case 'HOST_POSTS':
            return entities(state, 'posts', {posts: {...e.posts.posts, ...action.posts}, order: action.order});
        case 'HOST_CHANNEL':
            return entities(state, 'channels', {currentChannelId: action.channel.id, channels: {...e.channels.channels, [action.channel.id]: action.channel}});
        case 'HOST_REGISTRY_CHANGED':
            return {...state, views: {...state.views, registry: state.views.registry + 1}};
        case 'UPDATE_RHS_STATE':
            return {...state, views: {...state.views, rhs: {open: Boolean(action.pluggableId), pluggableId: action.pluggableId || ''}}};
        default:
            return state;
        }
    }

    // The web app's store runs thunks; the registry's hide and toggle actions are thunks there too.
    const thunk = ({dispatch, getState}) => (next) => (action) => (typeof action === 'function' ? action(dispatch, getState) : next(action));
    const store = Redux.createStore(reducer, Redux.applyMiddleware(thunk));

    const showRHSPlugin = (id) => ({type: 'UPDATE_RHS_STATE', pluggableId: id});
    const hideRHSPlugin = (id) => (dispatch, getState) => {
        if (getState().views.rhs.pluggableId === id) {
            dispatch({type: 'UPDATE_RHS_STATE', pluggableId: ''});
        }
    };
    const toggleRHSPlugin = (id) => (dispatch, getState) => {
        dispatch(getState().views.rhs.pluggableId === id ? hideRHSPlugin(id) : showRHSPlugin(id));
    };

    // The registry: the calls webapp/src/index.tsx makes, kept as the web app keeps them.
    const registered = {rhs: [], channelHeaderButtons: [], appBar: [], leftSidebarHeader: [], postMenu: [], websocket: new Map(), reconnect: [], adminSettings: []};
    let nextId = 0;
    const changed = () => store.dispatch({type: 'HOST_REGISTRY_CHANGED'});

    function registryFor(pluginId) {
        const add = (list, item) => {
            const id = `${pluginId}-${++nextId}`;
            list.push({...item, id, pluginId});
            changed();
            return id;
        };
        return {
            registerRightHandSidebarComponent(component, title) {
                const id = add(registered.rhs, {component, title});
                return {id, showRHSPlugin: showRHSPlugin(id), hideRHSPlugin: hideRHSPlugin(id), toggleRHSPlugin: toggleRHSPlugin(id)};
            },
            registerChannelHeaderButtonAction(icon, action, dropdownText, tooltipText) {
                return add(registered.channelHeaderButtons, {icon, action, dropdownText, tooltipText});
            },
            registerAppBarComponent(iconUrl, action, tooltipText) {
                return add(registered.appBar, {iconUrl, action, tooltipText});
            },
            registerLeftSidebarHeaderComponent(component) {
                return add(registered.leftSidebarHeader, {component});
            },
            registerWebSocketEventHandler(event, handler) {
                registered.websocket.set(event, handler);
            },
            unregisterWebSocketEventHandler(event) {
                registered.websocket.delete(event);
            },
            registerPostDropdownMenuAction(text, action, filter) {
                return add(registered.postMenu, {text, action, filter});
            },
            registerReconnectHandler(handler) {
                registered.reconnect.push(handler);
            },
            registerAdminConsoleCustomSetting(key, component, options) {
                return add(registered.adminSettings, {key, component, options});
            },
        };
    }

    window.registerPlugin = (id, plugin) => {
        plugin.initialize(registryFor(id), store);
        devopsHost.plugins.push(id);
    };

    // The websocket, authenticated with the session token as the web app's client does;
    // every event goes to the handler a plugin registered for it. After a reconnect the
    // reconnect handlers run, as in the web app. devopsHost.disconnect() drops the
    // connection until devopsHost.reconnect(), so a test can make changes meanwhile.
    let socket = null;
    let held = false;
    let connections = 0;
    function connect(token) {
        let seq = 1;
        const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v4/websocket`);
        socket = ws;
        ws.onopen = () => ws.send(JSON.stringify({seq: seq++, action: 'authentication_challenge', data: {token}}));
        ws.onmessage = (e) => {
            const msg = JSON.parse(e.data);
            if (!msg.event) {
                return; // a reply to a request of ours
            }
            devopsHost.events.push(msg.event);
            if (msg.event === 'hello') {
                devopsHost.connected = true;
                if (++connections > 1) {
                    registered.reconnect.forEach((handler) => handler());
                }
            }
            if (msg.event === 'user_added' || msg.event === 'channel_created') {
                loadMyChannels();
            }
            const handler = registered.websocket.get(msg.event);
            if (handler) {
                handler(msg);
            }
        };
        ws.onclose = () => {
            devopsHost.connected = false;
            if (!held) {
                setTimeout(() => connect(token), 1000);
            }
        };
        devopsHost.reconnect = () => {
            held = false;
            connect(token);
        };
    }

    async function loadMyChannels() {
        const {teams} = store.getState().entities;
        const {json} = await mm('GET', `/api/v4/users/me/teams/${teams.currentTeamId}/channels`);
        const channels = json.filter((c) => c.type === 'O' || c.type === 'P').sort((a, b) => a.display_name.localeCompare(b.display_name));
        store.dispatch({type: 'HOST_MY_CHANNELS', channels});
    }

    // The web app's router, as plugins reach it: /<team>/channels/<name>.
    async function navigate(path) {
        const m = path.match(/^\/([^/]+)\/channels\/([^/?#]+)/);
        if (!m) {
            return;
        }
        const {teams} = store.getState().entities;
        const {json: channel} = await mm('GET', `/api/v4/teams/${teams.currentTeamId}/channels/name/${encodeURIComponent(m[2])}`);
        history.pushState(null, '', path);
        store.dispatch({type: 'HOST_CHANNEL', channel});
        // The channel's latest messages, so a plugin's post menu items have posts to act on.
        const {json: posts} = await mm('GET', `/api/v4/channels/${channel.id}/posts?per_page=20`);
        store.dispatch({type: 'HOST_POSTS', posts: posts.posts, order: [...posts.order].reverse()});
    }
    window.WebappUtils = {browserHistory: {push: (path) => navigate(path).catch((err) => devopsHost.errors.push(String(err)))}};

    // Plugins load as the web app loads them: from the manifests the server lists.
    function loadPlugins(manifests) {
        return Promise.all(manifests.filter((m) => m.webapp && m.webapp.bundle_path).map((m) => new Promise((resolve, reject) => {
            let path = m.webapp.bundle_path;
            if (path.includes('/static/') && !path.includes('/static/plugins/')) {
                path = path.replace('/static/', '/static/plugins/');
            }
            const script = document.createElement('script');
            script.src = path;
            script.onload = resolve;
            script.onerror = () => reject(new Error(`cannot load ${path}`));
            document.body.appendChild(script);
        })));
    }

    // The shell.
    const {useSelector} = ReactRedux;

    // A message with the web app's "…" menu: the items plugins registered for it.
    function Post({post}) {
        const [open, setOpen] = React.useState(false);
        const items = registered.postMenu.filter((m) => !m.filter || m.filter(post.id));
        return h('li', {className: 'host-post'},
            h('span', {className: 'host-post-message'}, post.message),
            h('button', {type: 'button', className: 'host-icon-button', 'aria-label': 'Message actions', 'aria-expanded': open, onClick: () => setOpen(!open)}, '…'),
            open ? h('ul', {className: 'host-post-menu', role: 'menu'}, items.map((m) => h('li', {key: m.id, role: 'none'},
                h('button', {type: 'button', role: 'menuitem', onClick: () => {
                    setOpen(false);
                    m.action(post.id);
                }}, m.text)))) : null);
    }

    function Shell() {
        useSelector((s) => s.views.registry);
        const rhs = useSelector((s) => s.views.rhs);
        const {channels, teams, posts} = useSelector((s) => s.entities);
        const channel = channels.channels[channels.currentChannelId];
        const team = teams.teams[teams.currentTeamId];
        const panel = rhs.open && registered.rhs.find((r) => r.id === rhs.pluggableId);
        return h('div', {className: 'host'},
            h('div', {className: 'host-team-bar'}),
            h('nav', {className: 'host-sidebar', 'aria-label': 'Channel sidebar'},
                h('div', {className: 'host-sidebar-team'}, team ? team.display_name : ''),
                registered.leftSidebarHeader.map((c) => h('div', {key: c.id, className: 'host-lhs-header'}, h(c.component))),
                h('ul', {className: 'host-channel-list'}, channels.myChannels.map((c) => h('li', {key: c.id},
                    h('a', {
                        href: `/${team.name}/channels/${c.name}`,
                        'aria-current': channel && c.id === channel.id ? 'page' : undefined,
                        onClick: (e) => {
                            e.preventDefault();
                            window.WebappUtils.browserHistory.push(`/${team.name}/channels/${c.name}`);
                        },
                    }, c.display_name))))),
            h('main', {className: 'host-center'},
                h(Banner),
                h('header', {className: 'host-channel-header'},
                    h('h1', null, channel ? channel.display_name : ''),
                    registered.channelHeaderButtons.map((b) => h('button', {
                        key: b.id, type: 'button', className: 'host-icon-button host-header-button', title: b.tooltipText,
                        'aria-label': b.dropdownText, onClick: () => b.action(channel),
                    }, b.icon))),
                adminConsole ? h(AdminConsole) : h('ol', {className: 'host-posts', 'aria-label': 'Messages'}, posts.order.map((id) => posts.posts[id])
                    .filter((p) => p && p.channel_id === channels.currentChannelId && !p.type)
                    .map((p) => h(Post, {key: p.id, post: p})))),
            panel ? h('section', {className: 'host-rhs', 'aria-label': 'Right-hand sidebar'},
                h('div', {className: 'host-rhs-header'},
                    h('h2', null, panel.title),
                    h('button', {type: 'button', className: 'host-icon-button', 'aria-label': 'Close the sidebar', onClick: () => store.dispatch(hideRHSPlugin(panel.id))}, '✕')),
                h('div', {className: 'host-rhs-body'}, h(panel.component))) : null,
            h('div', {className: 'host-app-bar', role: 'toolbar', 'aria-label': 'App Bar'},
                registered.appBar.map((a) => h('button', {
                    key: a.id, type: 'button', className: 'host-icon-button host-app-bar-button', title: a.tooltipText,
                    'aria-label': a.tooltipText, onClick: () => a.action(channel),
                }, h('img', {src: a.iconUrl, alt: ''})))));
    }

    // The System Console's plugin page, as far as custom settings go: each gets the
    // props the web app gives it (id, label, value, config, onChange) and keeps its
    // edited value until a save this shell does not have.
    function AdminConsole() {
        const [config, setConfig] = React.useState(null);
        const [edited, setEdited] = React.useState({});
        React.useEffect(() => {
            mm('GET', '/api/v4/config').then(({json}) => setConfig(json), (err) => devopsHost.errors.push(String(err)));
        }, []);
        if (!config) {
            return null;
        }
        return h('section', {className: 'host-console', 'aria-label': 'System Console'},
            h('h2', null, 'Plugin settings'),
            registered.adminSettings.map((s) => {
                const key = s.key.toLowerCase();
                const id = `PluginSettings.Plugins.${s.pluginId}.${key}`;
                const stored = ((config.PluginSettings.Plugins || {})[s.pluginId] || {})[key];
                return h('div', {key: s.id, className: 'host-console-setting'}, h(s.component, {
                    id, label: s.key, helpText: null, value: id in edited ? edited[id] : stored, disabled: false, setByEnv: false, config,
                    onChange: (changedId, value) => setEdited((prev) => ({...prev, [changedId]: value})),
                    setSaveNeeded: () => undefined, registerSaveAction: () => undefined, unRegisterSaveAction: () => undefined,
                }));
            }));
    }

    async function boot() {
        const login = await mm('POST', '/api/v4/users/login', {login_id: params.get('login'), password: params.get('password')});
        store.dispatch({type: 'HOST_ME', user: login.json});
        const {json: config} = await mm('GET', '/api/v4/config/client?format=old');
        store.dispatch({type: 'HOST_CONFIG', config});
        const teamName = location.pathname.split('/')[1];
        const {json: team} = await mm('GET', `/api/v4/teams/name/${encodeURIComponent(teamName)}`);
        store.dispatch({type: 'HOST_TEAM', team});
        await loadMyChannels();
        await navigate(location.pathname);
        connect(login.res.headers.get('Token'));

        const {json: manifests} = await mm('GET', '/api/v4/plugins/webapp');
        await loadPlugins(manifests);
        ReactDOM.createRoot(document.getElementById('root')).render(h(ReactRedux.Provider, {store}, h(Shell)));
        // The landing page's links open the panel, as a click on its App Bar icon would.
        if (params.get('panel') === 'open' && registered.appBar[0]) {
            const {channels} = store.getState().entities;
            registered.appBar[0].action(channels.channels[channels.currentChannelId]);
        }
    }

    const devopsHost = {
        store,
        plugins: [],
        events: [],
        errors: [],
        connected: false,
        setTheme,
        navigate: (path) => window.WebappUtils.browserHistory.push(path),
        disconnect() {
            held = true;
            socket.close();
        },
        reconnect: null,
        ready: null,
    };
    window.devopsHost = devopsHost;
    if (location.pathname === '/' && !params.get('login')) {
        devopsHost.ready = landing();
        return;
    }
    devopsHost.ready = boot().catch((err) => {
        devopsHost.errors.push(String(err && err.stack || err));
        throw err;
    });
}());
