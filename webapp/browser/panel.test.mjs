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
import {createHmac} from 'node:crypto';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
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
// from the UMD builds in the webapp's node_modules. host/files.json lists them for this
// test and for `make run` (build/harness's InstallHostPage), relative to webapp/.
const HOST_FILES = JSON.parse(readFileSync(path.join(import.meta.dirname, 'host/files.json'), 'utf8'));

// What axe-core checks on every view: WCAG 2.0 and 2.1, levels A and AA, and its best practices.
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
// The panel's background in Denim and Onyx, as the palette computes it from the theme.
const THEME_BG = {light: 'rgb(255, 255, 255)', dark: 'rgb(25, 27, 31)'};

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
        copyFileSync(path.join(WEBAPP, from), path.join(dir, 'client/devops-host', name));
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

    async function openPage(channelName, theme = 'light', login = 'dana', more = '') {
        await page.goto(`${server.url}/${team.name}/channels/${channelName}#login=${login}&password=${encodeURIComponent(server.password)}&theme=${theme}${more}`);
        await page.evaluate(() => window.devopsHost.ready);
        await page.waitForFunction(() => window.devopsHost.connected && window.devopsHost.plugins.includes('devops-channels'));
    }

    // The panel in the other theme: wait until its palette has followed the host's variables.
    async function setTheme(name, root = panel()) {
        await page.evaluate((n) => window.devopsHost.setTheme(n), name);
        await eventually(async () => {
            assert.equal(await root.evaluate((el) => getComputedStyle(el).getPropertyValue('--dc-bg').trim()), THEME_BG[name]);
        }, `palette in the ${name} theme`);
    }

    // audit runs axe-core on the panel as it is now, in the light and the dark theme,
    // and fails on any violation, naming the rule, the element and why.
    const audited = [];
    async function audit(view, selector = '.host-rhs .dc-panel') {
        if (!await page.evaluate(() => Boolean(window.axe))) {
            await page.addScriptTag({url: '/static/devops-host/axe.min.js'});
        }
        const root = page.locator(selector).first();
        for (const theme of ['light', 'dark']) {
            await setTheme(theme, root);
            const {violations, passed} = await page.evaluate(async ([tags, include]) => {
                const result = await window.axe.run({include: [[include]]}, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
                return {
                    violations: result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary}`)),
                    passed: result.passes.map((p) => p.id),
                };
            }, [AXE_TAGS, selector]);
            assert.deepEqual(violations, [], `axe-core on ${view} in the ${theme} theme`);
            // The rule the issue found failing did run, and on something.
            assert.ok(passed.includes('color-contrast'), `axe-core checked contrast on ${view}: ${passed}`);
        }
        await setTheme('light', root);
        audited.push(view);
    }

    // Where keyboard focus is, described well enough to assert on.
    const focused = () => page.evaluate(() => {
        const el = document.activeElement;
        return {
            id: el?.id ?? '',
            tag: el?.tagName.toLowerCase() ?? '',
            text: (el?.textContent ?? '').trim(),
            inPanel: Boolean(el?.closest('.dc-panel')),
        };
    });
    async function focusIs(expected, what) {
        await eventually(async () => {
            const f = await focused();
            assert.ok(f.inPanel, `focus left the panel: ${JSON.stringify(f)}`);
            for (const [k, v] of Object.entries(expected)) {
                if (v instanceof RegExp) {
                    assert.match(f[k], v);
                } else {
                    assert.equal(f[k], v);
                }
            }
        }, `focus after ${what}`);
    }
    // What the panel's one polite live region says now.
    const announcer = () => panel().locator('.dc-announcer');
    async function announces(text, what) {
        await eventually(async () => {
            assert.equal(await announcer().count(), 1, 'one live region');
            assert.equal(await announcer().getAttribute('aria-live'), 'polite');
            const said = (await announcer().textContent()).trim();
            if (text instanceof RegExp) {
                assert.match(said, text);
            } else {
                assert.equal(said, text);
            }
        }, `announcement after ${what}`);
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

        // A live incident: auto-invited operations, a QA member, a task with two assignees
        // and a due date, a status update and a stage change.
        incident = await ok('dana', 'POST', '/workflows', {team_id: team.id, type: 'incident', title: 'Checkout errors in EU', severity: 'sev1'});
        const added = await call('dana', 'POST', `/api/v4/channels/${incident.channel_id}/members`, {user_id: users.quinn.id});
        assert.equal(added.status, 201);
        await ok('dana', 'POST', `/workflows/${incident.id}/tasks`, {text: 'Page the payments on-call', assignee_ids: [users.omar.id, users.quinn.id], due_at: Date.now() + 2 * 3600_000});
        await ok('dana', 'POST', `/workflows/${incident.id}/status`, {text: 'EU checkout fails for 12% of orders since the 2.4.0 deploy.'});
        await ok('dana', 'POST', `/workflows/${incident.id}/stage`, {stage: 'next'});
        // A closed support escalation: the team view's chart has a line to draw.
        const closed = await ok('dana', 'POST', '/workflows', {team_id: team.id, type: 'support', title: 'Invoice export times out', severity: 'p3'});
        await ok('dana', 'POST', `/workflows/${closed.id}/close`, {summary: 'Fixed in 2.3.8.'});

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

        // Every task the server has, in its order, with its assignees' names.
        const {items: tasks} = await ok('dana', 'GET', `/workflows/${incident.id}/tasks`);
        assert.ok(tasks.length >= 2);
        await eventually(async () => {
            assert.deepEqual(await panel().locator('.dc-task label').allTextContents(), tasks.map((t) => `#${t.number} ${t.text}`));
        }, 'checklist');
        await panel().locator('.dc-task', {hasText: 'Page the payments on-call'}).getByText(/assigned to .*omar.*, .*quinn/).waitFor();

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

    step('axe-core finds no violation in the workflow view, light or dark', async () => {
        await panel().getByRole('list', {name: 'Stage progress'}).waitFor();
        await panel().getByRole('list', {name: 'Timeline, newest first'}).waitFor();
        await audit('the workflow view');
    });

    step('custom fields by keyboard: the form opens with focus in it, saves what changed and says so', async () => {
        const fields = panel().getByRole('region', {name: 'Fields'});
        await fields.getByText('not set').first().waitFor();
        await panel().locator('#dc-fields-open').focus();
        await page.keyboard.press('Enter');
        await focusIs({id: 'dc-field-service'}, 'opening the fields form');
        await audit('the fields form');
        await page.keyboard.press('Escape');
        await focusIs({id: 'dc-fields-open'}, 'Escape from the fields form');
        await page.keyboard.press('Enter');
        await page.keyboard.type('checkout-api');
        await panel().getByLabel('Cause').selectOption('deploy');
        await panel().locator('#dc-field-service').focus();
        await page.keyboard.press('Enter');
        await announces('Fields saved: 2 changed.', 'saving fields');
        await focusIs({id: 'dc-fields-open'}, 'saving fields');
        assert.deepEqual((await ok('dana', 'GET', `/workflows/${incident.id}`)).fields, {service: 'checkout-api', cause: 'deploy'});
        await fields.getByText('checkout-api').waitFor();
    });

    step('every workflow action by keyboard keeps focus in the panel and announces its result', async () => {
        const tasksOf = async () => (await ok('dana', 'GET', `/workflows/${incident.id}/tasks`)).items;
        const workflow = () => ok('dana', 'GET', `/workflows/${incident.id}`);

        // Add a task due at a time: Enter in the text field submits, and focus stays there for the next one.
        const text = 'Restart the EU checkout pods';
        await panel().getByLabel('Due').fill('2030-01-15T09:30');
        await panel().locator('#dc-new-task').focus();
        await page.keyboard.type(text);
        await page.keyboard.press('Enter');
        await announces(new RegExp(`^Task #\\d+ added: ${text}$`), 'adding a task');
        await focusIs({id: 'dc-new-task'}, 'adding a task');
        const added = (await tasksOf()).find((t) => t.text === text);
        // 09:30 in Berlin, dana's Mattermost time zone, in January (UTC+1).
        assert.equal(added.due_at, Date.UTC(2030, 0, 15, 8, 30));

        // Its details are read with its checkbox.
        const box = panel().locator(`#dc-task-${added.number}`);
        await eventually(async () => {
            const described = await box.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')).textContent);
            assert.match(described, /due Jan 15, 2030, 9:30\sAM/);
        }, 'task details describe the checkbox');

        // Tick it with Space: the box keeps focus while it saves.
        await box.focus();
        await page.keyboard.press('Space');
        await announces(`Task #${added.number} done.`, 'ticking a task');
        await focusIs({id: `dc-task-${added.number}`}, 'ticking a task');
        await eventually(async () => assert.equal((await tasksOf()).find((t) => t.number === added.number).done, true), 'task done on the server');

        // The status form: opens with focus inside, Escape closes it back to its button, posting too.
        await panel().locator('#dc-status-open').focus();
        await page.keyboard.press('Enter');
        await focusIs({id: 'dc-status-input'}, 'opening the status form');
        await audit('the status form');
        await page.keyboard.press('Escape');
        await focusIs({id: 'dc-status-open'}, 'Escape from the status form');
        await page.keyboard.press('Enter');
        await focusIs({id: 'dc-status-input'}, 'opening the status form again');
        await page.keyboard.type('Pods restarted; the error rate is back to 0.1%.');
        await page.keyboard.press('Tab');
        await focusIs({text: 'Post update'}, 'Tab to Post update');
        await page.keyboard.press('Enter');
        await announces('Status update posted.', 'posting a status');
        await focusIs({id: 'dc-status-open'}, 'posting a status');
        await panel().locator('.dc-status-text', {hasText: 'Pods restarted'}).waitFor();

        // At a glance: when the next update is owed, and how long the workflow has been in its stage.
        const posted = await workflow();
        assert.ok(posted.next_reminder_at > Date.now(), 'a sev1 incident has a reminder due');
        await eventually(async () => {
            const facts = await panel().locator('.dc-wf-header .dc-facts').textContent();
            const owed = facts.match(/Next status updatedue in (\d+) (min|h)/);
            assert.ok(owed, facts);
            const minutes = Number(owed[1]) * (owed[2] === 'h' ? 60 : 1);
            const expected = (posted.next_reminder_at - Date.now()) / 60_000;
            assert.ok(Math.abs(minutes - expected) <= 2, `${owed[0]}, expected about ${expected} min`);
            assert.match(facts, /Stageinvestigating · for (less than a minute|\d+ min)/);
        }, 'the header shows the next update due and the time in stage');

        // Move the stage: the button stays focused and names the next stage.
        await panel().locator('#dc-stage-move').focus();
        await page.keyboard.press('Enter');
        await announces('Moved to mitigated.', 'moving the stage');
        await focusIs({id: 'dc-stage-move', text: 'Move to resolved'}, 'moving the stage');
        assert.equal((await workflow()).stage, 'mitigated');

        // Close: the form takes focus and warns how many tasks are open; Escape cancels.
        const open = (await tasksOf()).filter((t) => !t.done).length;
        assert.ok(open > 0);
        await panel().locator('#dc-close-open').focus();
        await page.keyboard.press('Enter');
        await focusIs({id: 'dc-close-summary'}, 'opening the close form');
        const warning = panel().locator('#dc-close-warning');
        await warning.filter({hasText: `${open} open task${open === 1 ? '' : 's'}: closing leaves`}).waitFor();
        assert.equal(await panel().locator('#dc-close-summary').getAttribute('aria-describedby'), 'dc-close-warning');
        await audit('the close form');
        await page.keyboard.press('Escape');
        await focusIs({id: 'dc-close-open'}, 'Escape from the close form');
        await page.keyboard.press('Enter');
        await focusIs({id: 'dc-close-summary'}, 'opening the close form again');
        await page.keyboard.type('Rolled back; follow-ups filed.');
        await page.keyboard.press('Tab');
        await focusIs({text: 'Close workflow'}, 'Tab to Close workflow');
        await page.keyboard.press('Enter');
        await announces('Workflow closed. The retrospective is posted in the channel.', 'closing');
        // The heading, until the server's fresh permissions bring the Reopen button.
        await focusIs({tag: /^(h2|button)$/}, 'closing');
        assert.equal((await workflow()).status, 'closed');
        await panel().locator('#dc-reopen').waitFor();
        await audit('a closed workflow');

        await panel().locator('#dc-reopen').focus();
        await page.keyboard.press('Enter');
        await announces('Workflow reopened.', 'reopening');
        await focusIs({tag: /^(h2|button)$/}, 'reopening');
        await panel().locator('#dc-close-open').waitFor();
        assert.equal((await workflow()).status, 'active');
    });

    step('a severity change and a CI event by someone else update the open panel', async () => {
        await panel().locator('.dc-wf-title', {hasText: 'Checkout errors in EU'}).waitFor();
        await page.evaluate(() => {
            window.stillTheSamePage = true;
        });
        // The system admin, not the page's user, calms the incident down.
        const res = await fetch(`${server.url}/plugins/${PLUGIN}/api/v1/workflows/${incident.id}/severity`, {
            method: 'POST',
            headers: {Authorization: `Bearer ${server.admin_token}`, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'},
            body: JSON.stringify({severity: 'sev2'}),
        });
        assert.equal(res.status, 200, await res.text());
        await panel().locator('.dc-wf-header').getByText('Severity: sev2').waitFor();

        // A pipeline reports a deploy, signed as a CI system signs it (README, CI/CD webhook).
        const body = JSON.stringify({workflow_id: incident.id, service: 'checkout-api', version: '2.3.9', environment: 'production', status: 'succeeded'});
        const at = Math.floor(Date.now() / 1000);
        const signature = createHmac('sha256', server.webhook_secret).update(`${at}.${body}`).digest('hex');
        const hook = await fetch(`${server.url}/plugins/${PLUGIN}/api/v1/hooks/deploy`, {
            method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-DevOps-Timestamp': String(at), 'X-DevOps-Signature': `sha256=${signature}`},
            body,
        });
        assert.ok(hook.status < 300, `${hook.status} ${await hook.text()}`);
        await panel().locator('.dc-event-summary', {hasText: 'Deploy checkout-api 2.3.9 → production: succeeded'}).waitFor();
        assert.equal(await page.evaluate(() => window.stillTheSamePage), true);
    });

    step('after the websocket reconnects, the panel shows what changed while it was down', async () => {
        await page.evaluate(() => window.devopsHost.disconnect());
        await page.waitForFunction(() => !window.devopsHost.connected);
        const text = 'Error rate back to normal; watching for an hour.';
        await ok('omar', 'POST', `/workflows/${incident.id}/status`, {text});
        // Nothing can arrive meanwhile: the panel still shows the older update.
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await panel().locator('.dc-status-text', {hasText: text}).count(), 0);
        await page.evaluate(() => window.devopsHost.reconnect());
        await panel().locator('.dc-status-text', {hasText: text}).waitFor();
        assert.equal(await page.evaluate(() => window.stillTheSamePage), true);
    });

    step('the team list filters and links, and the start form creates a workflow', async () => {
        // An admin's rotation: the team view says who is on call for it.
        const rotation = await fetch(`${server.url}/plugins/${PLUGIN}/api/v1/rotations`, {
            method: 'POST',
            headers: {Authorization: `Bearer ${server.admin_token}`, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'},
            body: JSON.stringify({team_id: team.id, name: 'payments', discipline: 'operations', members: [users.omar.username, users.dana.username]}),
        });
        assert.equal(rotation.status, 201, await rotation.text());
        await page.locator('.host-channel-list a', {hasText: 'Town Square'}).click();
        await panel().getByRole('heading', {name: 'Active workflows'}).waitFor();
        await panel().getByRole('list', {name: 'On call'}).getByText(`@${users.omar.username}`, {exact: false}).waitFor();
        const list = panel().getByRole('list', {name: 'Workflows'});
        // The visible sentence, not its echo in the live region.
        const noMatch = () => panel().getByRole('paragraph').filter({hasText: 'No active workflows match these filters.'});
        await list.getByRole('link', {name: 'Checkout errors in EU'}).waitFor();
        // The chart of the median time to close, with its figures as a table.
        await panel().getByRole('img', {name: /^Median time to close per week, the last 12 weeks\. Support escalation: 1 closed/}).waitFor();
        await panel().getByText('Figures').click();
        await panel().getByRole('table').getByRole('columnheader', {name: 'Support escalation'}).waitFor();
        await audit('the team view');
        await screenshot('team-light.png');
        await page.evaluate(() => window.devopsHost.setTheme('dark'));
        await screenshot('team-dark.png');
        await page.evaluate(() => window.devopsHost.setTheme('light'));

        // Filters: by type, by title; each result is announced with its count.
        await panel().getByLabel('Type').selectOption('release');
        await noMatch().waitFor();
        await announces('No active workflows match these filters.', 'filtering by type');
        await panel().getByLabel('Type').selectOption('');
        await announces('1 active workflow.', 'clearing the type');
        await panel().getByLabel('Search titles').fill('zzz');
        await noMatch().waitFor();
        await announces('No active workflows match these filters.', 'searching');
        await audit('the team view with no match');
        await panel().getByLabel('Search titles').fill('checkout');
        await list.getByRole('link', {name: 'Checkout errors in EU'}).waitFor();
        await announces('1 active workflow matches these filters.', 'searching');
        await panel().getByLabel('Search titles').fill('');

        // The start form opens with focus in it and Escape closes it back to its button.
        const startButton = panel().locator('#dc-start-open');
        await startButton.focus();
        await page.keyboard.press('Enter');
        await focusIs({id: 'dc-start-title'}, 'opening the start form');
        await audit('the start form');
        await page.keyboard.press('Escape');
        await focusIs({id: 'dc-start-open'}, 'Escape from the start form');

        // Start a release from the form; the server really has it.
        await page.keyboard.press('Enter');
        const form = panel().getByRole('form', {name: 'Start a workflow'});
        await form.getByLabel('Type').selectOption('release');
        await form.getByLabel('Title').focus();
        await page.keyboard.type('Release 2.4.0');
        await page.keyboard.press('Enter');
        await announces('Started Release 2.4.0.', 'starting a workflow');
        await focusIs({id: 'dc-start-open'}, 'starting a workflow');
        const {items} = await ok('dana', 'GET', `/workflows?team_id=${team.id}&type=release`);
        assert.equal(items.length, 1);
        assert.equal(items[0].title, 'Release 2.4.0');
        assert.equal(items[0].lead_id, users.dana.id);
        await list.getByRole('link', {name: 'Release 2.4.0'}).waitFor();

        // The sidebar widget counts my active workflows, live.
        await page.locator('.host-lhs-header .dc-widget', {hasText: /Releases?: 1/}).waitFor();

        // A list entry leads to the workflow's channel, where the panel shows it with focus on its title.
        await list.getByRole('link', {name: 'Release 2.4.0'}).focus();
        await page.keyboard.press('Enter');
        await page.locator('.host-channel-header h1', {hasText: /Release \d+: 2\.4\.0/}).waitFor();
        await panel().locator('.dc-wf-title', {hasText: 'Release 2.4.0'}).waitFor();
        await focusIs({tag: 'h2', text: 'Release 2.4.0'}, 'opening a workflow');
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
        // The refused button keeps focus, so the next try is one key away.
        await focusIs({id: 'dc-stage-move'}, 'a refused stage change');
        await audit('a refused stage change');

        // The duplicate guard's refusal comes with the way round it.
        await page.locator('.host-channel-list a', {hasText: 'Town Square'}).click();
        await panel().getByRole('button', {name: 'Start workflow'}).click();
        const form = panel().getByRole('form', {name: 'Start a workflow'});
        await form.getByLabel('Type').selectOption('incident');
        await form.getByLabel('Title').fill('Checkout errors EU');
        await form.getByRole('button', {name: 'Start', exact: true}).click();
        await form.getByRole('alert').filter({hasText: 'A similar incident is already active'}).waitFor();
        await form.getByRole('button', {name: 'Start anyway'}).waitFor();
        await audit('the start form refused as a duplicate');
    });

    step('signing off by keyboard, as QA: focus lands on the gate signed and the sign-off is announced', async () => {
        const {items: [release]} = await ok('dana', 'GET', `/workflows?team_id=${team.id}&type=release`);
        const added = await call('dana', 'POST', `/api/v4/channels/${release.channel_id}/members`, {user_id: users.quinn.id});
        assert.equal(added.status, 201, JSON.stringify(added.json));
        await openPage(release.channel_name, 'light', 'quinn');
        await page.locator('.host-app-bar-button').click();
        const note = panel().getByLabel('Sign-off note for production (optional)');
        await note.waitFor();
        await audit('a sign-off form');

        await note.focus();
        await page.keyboard.type('Regression suite green');
        await page.keyboard.press('Tab');
        await focusIs({text: 'Sign off production as qa'}, 'Tab to the sign-off button');
        await page.keyboard.press('Enter');
        await announces('Signed off production as qa.', 'signing off');
        await focusIs({id: 'dc-gate-production'}, 'signing off');
        await panel().getByRole('list', {name: 'Sign-offs needed to enter production'}).getByText(/qa: signed off by @quinn — “Regression suite green”/).waitFor();
        const signed = (await ok('dana', 'GET', `/workflows/${release.id}`)).signoffs.find((x) => x.stage === 'production' && x.discipline === 'qa');
        assert.equal(signed.user_id, users.quinn.id);
        assert.equal(signed.note, 'Regression suite green');
    });

    step('the post menu\'s "Start a workflow…" opens the start form prefilled from the message and starts from it', async () => {
        const {json: square} = await call('omar', 'GET', `/api/v4/teams/${team.id}/channels/name/town-square`);
        const {json: report} = await call('omar', 'POST', '/api/v4/posts', {channel_id: square.id, message: 'Payments API returns 502s\nSince 15:10, EU cards only.'});
        await page.evaluate((path) => window.devopsHost.navigate(path), `/${team.name}/channels/town-square`);
        const message = page.locator('.host-post', {hasText: 'Payments API returns 502s'});
        await message.getByRole('button', {name: 'Message actions'}).click();
        await message.getByRole('menuitem', {name: 'Start a workflow…'}).click();

        await panel().getByRole('heading', {name: 'Start a workflow from a message'}).waitFor();
        const form = panel().getByRole('form', {name: 'Start a workflow'});
        assert.equal(await form.getByLabel('Title').inputValue(), 'Payments API returns 502s');
        await form.getByLabel('Type').selectOption('incident');
        await form.getByLabel('Severity').selectOption('sev1');
        await form.getByRole('button', {name: 'Start', exact: true}).click();
        await panel().getByRole('status').filter({hasText: 'Started Payments API returns 502s'}).waitFor();

        // The server has it, linked both ways.
        const {items} = await ok('dana', 'GET', `/workflows?team_id=${team.id}&q=${encodeURIComponent('Payments API')}`);
        assert.equal(items.length, 1);
        assert.equal(items[0].severity, 'sev1');
        const {json: thread} = await call('omar', 'GET', `/api/v4/posts/${report.id}/thread`);
        const replies = thread.order.map((id) => thread.posts[id]).filter((p) => p.id !== report.id);
        assert.equal(replies.length, 1);
        assert.match(replies[0].message, new RegExp(`started an incident ~${items[0].channel_name} from this message`));
        await panel().getByRole('button', {name: 'Done'}).click();
        await panel().getByRole('heading', {name: 'Active workflows'}).waitFor();
    });

    step('the System Console editors show, as an admin types, what the server refuses and reads', async () => {
        await openPage(incident.channel_name, 'light', 'admin', '&console=1');
        const cadence = page.getByLabel('ReminderCadence', {exact: true});
        const setting = page.locator('.host-console-setting', {has: cadence});
        await cadence.fill('sve1=15m, default=1d');
        await setting.getByRole('alert').filter({hasText: '"sve1" is not a severity of any workflow type'}).waitFor();
        assert.equal(await cadence.getAttribute('aria-invalid'), 'true');
        await audit('a refused cadence in the System Console', '.dc-settings');

        await cadence.fill('sev1=10m, default=1d');
        const status = setting.getByRole('status');
        await status.filter({hasText: 'Valid. Reads as:'}).waitFor();
        assert.match(await status.innerText(), /sev1\s*10m/);
        assert.equal(await setting.getByRole('alert').count(), 0);
        assert.equal(await cadence.getAttribute('aria-invalid'), 'false');

        // The mapping is checked against the server's users, naming the line.
        const mapping = page.getByLabel('DisciplineMapping', {exact: true});
        await mapping.fill('dana: developer\nnosuchperson: qa');
        await page.locator('.host-console-setting', {has: mapping}).getByRole('alert').filter({hasText: 'line 2: no user named nosuchperson'}).waitFor();
        await audit('the System Console editors', '.dc-settings');
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
