// The plugin's real webapp in a real browser against a real Mattermost server.
//
// build/harness's devops-serve starts Mattermost 11.4 on PostgreSQL with the plugin
// bundle from dist/ and a team of users. This test writes a host page (browser/host/)
// into the server's client directory, so the page, the API, the websocket and the
// plugin's main.js share one origin and the server's own session cookies, and drives
// Debian's Chromium through playwright-core. Run it with `make test-browser`;
// SCREENSHOTS_DIR says where the light and dark screenshots go (default dist/screenshots).
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {after, before, describe, it} from 'node:test';

import {chromium} from 'playwright-core';

const WEBAPP = path.resolve(import.meta.dirname, '..');
const ROOT = path.resolve(WEBAPP, '..');
const SERVE = process.env.DEVOPS_SERVE_BIN || path.join(ROOT, 'build/.cache/bin/devops-serve');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const SHOTS = path.resolve(ROOT, process.env.SCREENSHOTS_DIR || 'dist/screenshots');
const PLUGIN = 'devops-channels';
const TIMEOUT = 15_000;

// Each user has one discipline and a time zone, so the roster shows follow-the-sun.
const USERS = [
    'dana:developer:Europe/Berlin:Dana Fischer',
    'omar:operations:Asia/Kolkata:Omar Haddad',
    'quinn:qa:America/New_York:Quinn Lee',
];

// The host page's scripts: its own, and the libraries the web app provides to plugins,
// from the UMD builds in the webapp's node_modules.
const umd = (file) => path.join(WEBAPP, 'node_modules', file);
const HOST_FILES = {
    'host.js': path.join(import.meta.dirname, 'host/host.js'),
    'host.css': path.join(import.meta.dirname, 'host/host.css'),
    'react.production.min.js': umd('react/umd/react.production.min.js'),
    'react-dom.production.min.js': umd('react-dom/umd/react-dom.production.min.js'),
    'redux.min.js': umd('redux/dist/redux.min.js'),
    'react-redux.min.js': umd('react-redux/dist/react-redux.min.js'),
    'prop-types.min.js': umd('prop-types/prop-types.min.js'),
};

// startServer runs devops-serve and resolves with what it printed: URL, team, users.
function startServer() {
    assert.ok(existsSync(SERVE), `${SERVE} is missing: run \`make test-browser\`, which builds it`);
    const proc = spawn(SERVE, ['-team', 'browser', '-users', USERS.join(',')], {stdio: ['pipe', 'pipe', 'inherit']});
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('devops-serve did not start within 3 minutes')), 180_000);
        proc.on('exit', (code) => reject(new Error(`devops-serve exited with ${code}`)));
        createInterface({input: proc.stdout}).once('line', (line) => {
            clearTimeout(timer);
            resolve({proc, ...JSON.parse(line)});
        });
    });
}

function installHostPage(dir) {
    copyFileSync(path.join(import.meta.dirname, 'host/root.html'), path.join(dir, 'client/root.html'));
    mkdirSync(path.join(dir, 'client/devops-host'), {recursive: true});
    for (const [name, from] of Object.entries(HOST_FILES)) {
        copyFileSync(from, path.join(dir, 'client/devops-host', name));
    }
}

// eventually retries an assertion until it passes or the time is up.
async function eventually(check, what, timeout = TIMEOUT) {
    const deadline = Date.now() + timeout;
    for (;;) {
        try {
            return await check();
        } catch (err) {
            if (Date.now() > deadline) {
                err.message = `${what}: ${err.message}`;
                throw err;
            }
            await new Promise((r) => setTimeout(r, 100));
        }
    }
}

describe('the panel in a real browser on a real server', {timeout: 240_000}, () => {
    let server;
    let context;
    let page;
    let users;
    let team;
    let incident;
    let profile;
    let failed = false;
    const pageErrors = [];
    const refusals = [];

    // call makes a request as a seeded user with their token, like an integration would.
    async function call(username, method, url, body) {
        const res = await fetch(`${server.url}${url}`, {
            method,
            headers: {Authorization: `Bearer ${users[username].token}`, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'},
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return {status: res.status, json: text ? JSON.parse(text) : undefined};
    }
    const plugin = (username, method, url, body) => call(username, method, `/plugins/${PLUGIN}/api/v1${url}`, body);
    async function ok(username, method, url, body) {
        const res = await plugin(username, method, url, body);
        assert.ok(res.status < 300, `${method} ${url} as ${username}: ${res.status} ${JSON.stringify(res.json)}`);
        return res.json;
    }

    const panel = () => page.locator('.host-rhs .dc-panel');
    const rhsOpen = () => page.locator('.host-rhs').isVisible();

    async function openPage(channelName, theme = 'light') {
        await page.goto(`${server.url}/${team.name}/channels/${channelName}#login=dana&password=${encodeURIComponent(server.password)}&theme=${theme}`);
        await page.evaluate(() => window.devopsHost.ready);
        await page.waitForFunction(() => window.devopsHost.connected && window.devopsHost.plugins.includes('devops-channels'));
    }

    async function screenshot(name) {
        mkdirSync(SHOTS, {recursive: true});
        // Tall enough that the whole panel shows, not just what fits a laptop screen.
        const height = await panel().evaluate((el) => el.scrollHeight);
        await page.setViewportSize({width: 1280, height: Math.min(Math.max(height + 64, 800), 2400)});
        await page.locator('.host-rhs').screenshot({path: path.join(SHOTS, name), animations: 'disabled'});
        await page.setViewportSize({width: 1280, height: 900});
    }

    before(async () => {
        server = await startServer();
        users = server.users;
        team = server.team;
        installHostPage(server.dir);

        // The discipline mapping applies asynchronously after devops-serve saved it.
        await eventually(async () => {
            assert.equal((await ok('dana', 'GET', '/me/discipline')).discipline, 'developer');
        }, 'disciplines mapped');

        // A live incident: auto-invited operations, a QA member, a task with an assignee
        // and due date, a status update and a stage change.
        incident = await ok('dana', 'POST', '/workflows', {team_id: team.id, type: 'incident', title: 'Checkout errors in EU', severity: 'sev1'});
        const added = await call('dana', 'POST', `/api/v4/channels/${incident.channel_id}/members`, {user_id: users.quinn.id});
        assert.equal(added.status, 201);
        await ok('dana', 'POST', `/workflows/${incident.id}/tasks`, {text: 'Page the payments on-call', assignee_id: users.omar.id, due_at: Date.now() + 2 * 3600_000});
        await ok('dana', 'POST', `/workflows/${incident.id}/status`, {text: 'EU checkout fails for 12% of orders since the 2.4.0 deploy.'});
        await ok('dana', 'POST', `/workflows/${incident.id}/stage`, {stage: 'next'});

        profile = mkdtempSync(path.join(tmpdir(), 'devops-chromium-'));
        context = await chromium.launchPersistentContext(profile, {
            executablePath: CHROMIUM,
            headless: true,
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync'],
            viewport: {width: 1280, height: 900},
            locale: 'en-US',
            timezoneId: 'Europe/Berlin',
        });
        page = context.pages()[0] || await context.newPage();
        page.setDefaultTimeout(TIMEOUT);
        page.on('pageerror', (err) => pageErrors.push(String(err)));
        // Chromium logs every refused request; the test provokes some and checks them apart.
        page.on('console', (msg) => msg.type() === 'error' && !msg.text().startsWith('Failed to load resource') && pageErrors.push(msg.text()));
        page.on('response', (res) => res.status() >= 400 && refusals.push(`${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`));
    });

    after(async () => {
        await context?.close();
        if (profile) {
            rmSync(profile, {recursive: true, force: true, maxRetries: 10});
        }
        if (server) {
            // A failed run keeps the server's directory (logs) and says where.
            server.proc.stdin.end(failed ? 'keep\n' : '');
            await new Promise((resolve) => server.proc.once('exit', resolve));
        }
    });

    // Any failure marks the run, so `after` keeps the logs.
    const step = (name, fn) => it(name, async () => {
        try {
            await fn();
        } catch (err) {
            failed = true;
            throw err;
        }
    });

    step('opens from the App Bar and renders the workflow from the server', async () => {
        await openPage(incident.channel_name);
        assert.equal(await rhsOpen(), false);
        await page.locator('.host-app-bar-button').click();
        await panel().locator('.dc-wf-title', {hasText: 'Checkout errors in EU'}).waitFor();

        const view = await ok('dana', 'GET', `/workflows/${incident.id}`);
        assert.equal(view.stage, 'investigating');
        const header = panel().locator('.dc-wf-header');
        await header.getByText('Severity: sev1').waitFor();
        await header.getByText(`Incident #${view.seq}`).waitFor();
        await panel().locator('[aria-current="step"]', {hasText: 'investigating'}).waitFor();
        await panel().locator('.dc-status-text', {hasText: '12% of orders'}).waitFor();

        // Every task the server has, in its order, with the assignee's name.
        const {items: tasks} = await ok('dana', 'GET', `/workflows/${incident.id}/tasks`);
        assert.ok(tasks.length >= 2);
        await eventually(async () => {
            assert.deepEqual(await panel().locator('.dc-task label').allTextContents(), tasks.map((t) => `#${t.number} ${t.text}`));
        }, 'checklist');
        await panel().locator('.dc-task', {hasText: 'Page the payments on-call'}).getByText(/assigned to .*omar/).waitFor();

        // The roster: who, in which discipline, and in which local time.
        for (const name of ['Dana Fischer', 'Omar Haddad', 'Quinn Lee']) {
            await panel().locator('.dc-person', {hasText: name}).waitFor();
        }
        await panel().locator('.dc-person', {hasText: 'Omar Haddad'}).getByText('operations').waitFor();

        // The channel header button toggles the same panel.
        await page.locator('.host-header-button').click();
        await page.locator('.host-rhs').waitFor({state: 'detached'});
        await page.locator('.host-header-button').click();
        await panel().locator('.dc-wf-title').waitFor();
    });

    step('checking a task changes it on the server, and a task done elsewhere appears', async () => {
        const {items: before} = await ok('dana', 'GET', `/workflows/${incident.id}/tasks`);
        const [first, second] = before.filter((t) => !t.done);
        await panel().locator(`#dc-task-${first.number}`).check();
        await eventually(async () => {
            const {items} = await ok('omar', 'GET', `/workflows/${incident.id}/tasks`);
            const task = items.find((t) => t.number === first.number);
            assert.equal(task.done, true);
            assert.equal(task.done_by, users.dana.id);
        }, 'task done on the server');

        await ok('omar', 'PATCH', `/workflows/${incident.id}/tasks/${second.number}`, {done: true});
        await eventually(async () => {
            assert.equal(await panel().locator(`#dc-task-${second.number}`).isChecked(), true);
        }, 'task checked live');
    });

    step('a status update by another user appears in the open panel without a reload', async () => {
        await page.evaluate(() => {
            window.stillTheSamePage = true;
        });
        const text = 'Rolled back to 2.3.9; the error rate is falling.';
        await ok('omar', 'POST', `/workflows/${incident.id}/status`, {text});
        await panel().locator('.dc-status-text', {hasText: text}).waitFor();
        await panel().getByText(/^@omar · /).waitFor(); // who posted it
        assert.equal(await page.evaluate(() => window.stillTheSamePage), true);

        // `/devops panel` opens it on the user's own sessions, through the websocket too.
        await page.locator('.host-header-button').click();
        await page.locator('.host-rhs').waitFor({state: 'detached'});
        const res = await call('dana', 'POST', '/api/v4/commands/execute', {channel_id: incident.channel_id, team_id: team.id, command: '/devops panel'});
        assert.equal(res.status, 200, JSON.stringify(res.json));
        await panel().locator('.dc-wf-title').waitFor();
        assert.equal(await page.evaluate(() => window.stillTheSamePage), true);
    });

    step('screenshots in the light and dark themes', async () => {
        await panel().locator('.dc-timeline, .dc-event').first().waitFor();
        await screenshot('panel-light.png');
        await page.evaluate(() => window.devopsHost.setTheme('dark'));
        await screenshot('panel-dark.png');

        // Dark really is dark: the panel takes the theme's background and text colours.
        const colours = await panel().evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
        assert.deepEqual(colours, ['rgb(25, 27, 31)', 'rgb(227, 228, 232)']);
        await page.evaluate(() => window.devopsHost.setTheme('light'));
    });

    step('the team list filters and links, and the start form creates a workflow', async () => {
        await page.locator('.host-channel-list a', {hasText: 'Town Square'}).click();
        await panel().getByRole('heading', {name: 'Active workflows'}).waitFor();
        const list = panel().getByRole('list', {name: 'Workflows'});
        await list.getByRole('link', {name: 'Checkout errors in EU'}).waitFor();

        // Filters: by type, by title.
        await panel().getByLabel('Type').selectOption('release');
        await panel().getByText('No active workflows match these filters.').waitFor();
        await panel().getByLabel('Type').selectOption('');
        await panel().getByLabel('Search titles').fill('zzz');
        await panel().getByText('No active workflows match these filters.').waitFor();
        await panel().getByLabel('Search titles').fill('checkout');
        await list.getByRole('link', {name: 'Checkout errors in EU'}).waitFor();
        await panel().getByLabel('Search titles').fill('');

        // Start a release from the form; the server really has it.
        await panel().getByRole('button', {name: 'Start workflow'}).click();
        const form = panel().getByRole('form', {name: 'Start a workflow'});
        await form.getByLabel('Type').selectOption('release');
        await form.getByLabel('Title').fill('Release 2.4.0');
        await form.getByRole('button', {name: 'Start', exact: true}).click();
        await panel().getByRole('status').filter({hasText: 'Started Release 2.4.0.'}).waitFor();
        const {items} = await ok('dana', 'GET', `/workflows?team_id=${team.id}&type=release`);
        assert.equal(items.length, 1);
        assert.equal(items[0].title, 'Release 2.4.0');
        assert.equal(items[0].lead_id, users.dana.id);
        await list.getByRole('link', {name: 'Release 2.4.0'}).waitFor();

        // The sidebar widget counts my active workflows, live.
        await page.locator('.host-lhs-header .dc-widget', {hasText: /Releases?: 1/}).waitFor();

        // A list entry leads to the workflow's channel, where the panel shows it.
        await list.getByRole('link', {name: 'Release 2.4.0'}).click();
        await page.locator('.host-channel-header h1', {hasText: /Release \d+: 2\.4\.0/}).waitFor();
        await panel().locator('.dc-wf-title', {hasText: 'Release 2.4.0'}).waitFor();
    });

    step('a refused action shows the server\'s message', async () => {
        // Walk the release to staging through the API; the open panel follows live.
        const {items: [release]} = await ok('dana', 'GET', `/workflows?team_id=${team.id}&type=release`);
        for (let i = 0; i < 3; i++) {
            await ok('dana', 'POST', `/workflows/${release.id}/stage`, {stage: 'next'});
        }
        const move = panel().getByRole('button', {name: 'Move to production'});
        await move.waitFor();
        await move.click();
        const alert = panel().getByRole('alert');
        await alert.waitFor();

        // The words are the server's own: the same request answers the same refusal.
        const refused = await plugin('dana', 'POST', `/workflows/${release.id}/stage`, {stage: 'next'});
        assert.equal(refused.status, 403, JSON.stringify(refused.json));
        assert.match(refused.json.error, /qa/);
        assert.equal((await alert.textContent()).replace(/^⚠ /, ''), refused.json.error);
        assert.equal((await ok('dana', 'GET', `/workflows/${release.id}`)).stage, 'staging');

        // The duplicate guard's refusal comes with the way round it.
        await page.locator('.host-channel-list a', {hasText: 'Town Square'}).click();
        await panel().getByRole('button', {name: 'Start workflow'}).click();
        const form = panel().getByRole('form', {name: 'Start a workflow'});
        await form.getByLabel('Type').selectOption('incident');
        await form.getByLabel('Title').fill('Checkout errors EU');
        await form.getByRole('button', {name: 'Start', exact: true}).click();
        await form.getByRole('alert').filter({hasText: 'A similar incident is already active'}).waitFor();
        await form.getByRole('button', {name: 'Start anyway'}).waitFor();
    });

    step('the page logged no errors, and the server refused only what the test provoked', async () => {
        assert.deepEqual(pageErrors, []);
        assert.deepEqual(await page.evaluate(() => window.devopsHost.errors), []);
        const {items: [release]} = await ok('dana', 'GET', `/workflows?team_id=${team.id}&type=release`);
        assert.deepEqual(refusals, [
            `403 POST /plugins/${PLUGIN}/api/v1/workflows/${release.id}/stage`,
            `409 POST /plugins/${PLUGIN}/api/v1/workflows`,
        ]);
    });
});
