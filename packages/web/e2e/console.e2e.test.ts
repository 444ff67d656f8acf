/**
 * The console end to end: Debian's Chromium (playwright-core, headless)
 * against a real in-process JobCenter on SQLite and a real worker process.
 * The tests run in order and share the server, the worker and the browser:
 * each one starts where the previous one left the console.
 *
 * Without Chromium the suite is skipped with a warning, except under
 * CI=true where it fails. Nothing here waits on a clock: every check polls
 * (Playwright's waits, `expect.poll`) with generous limits.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startCenter, type TestCenter } from '../../server/test/helpers/center.js';
import { type Started, startWorker, stopAll } from '../../server/test/helpers/processes.js';
import { waitFor } from '../../server/test/helpers/wait.js';
import {
  CHROMIUM_PATH,
  chromiumInstalled,
  type LaunchedChromium,
  launchChromium,
} from '../scripts/chromium.mjs';

const CONSOLE_INDEX = fileURLToPath(new URL('../../server/dist/console/index.html', import.meta.url));

const available = chromiumInstalled();
if (!available) {
  const message = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set JOBCENTER_CHROMIUM)`;
  if (process.env.CI === 'true')
    throw new Error(`console end-to-end tests: ${message} (required under CI=true)`);
  console.warn(`\n!!! SKIPPING the console end-to-end tests: ${message}\n`);
}

const ALICE = { name: 'alice', password: 'alice-password-1' };
const VIC = { name: 'vic', password: 'viewer-password-1' };
const ADA = { name: 'ada', password: 'admin-password-1', admin: true };
/** How long any one thing may take to show up: bounds a hang, measures nothing. */
const SHOWS = 20_000;

interface Run {
  id: string;
  status: string;
  timedOut: boolean;
  output: unknown;
  trigger: string;
}

describe.skipIf(!available)('console end to end', () => {
  let tc: TestCenter;
  let worker: Started;
  let browser: LaunchedChromium;
  let page: Page;

  const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    tc.api<T>(method, `/api/v1${path}`, body);
  const ok = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const res = await api<T>(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const go = (path: string) => page.goto(`${tc.url}${path}`);
  const byTest = (id: string) => page.getByTestId(id);
  const dialog = (title: string | RegExp) => page.getByRole('dialog', { name: title });

  /** A dialog once its opening animation is over: a click on a button still zooming in can miss. */
  async function openedDialog(title: string | RegExp) {
    const found = dialog(title);
    await found.waitFor();
    await found.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
    return found;
  }

  async function signOut() {
    await byTest('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
  }

  /** An HTTP receiver on loopback that records what is posted to it. */
  async function startReceiver() {
    const received: { path: string; headers: Record<string, unknown>; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/alerts`,
      received,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  async function signIn(user: { name: string; password: string }) {
    await page.getByLabel('User name').fill(user.name);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await byTest('user-menu').filter({ hasText: user.name }).waitFor();
  }

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error('the console is not built: run `npm run build` first');
    worker = await startWorker('e2e-worker');
    tc = await startCenter('sqlite');
    await ok('POST', '/teams', { name: 'ops', description: 'Operations' });
    for (const user of [ALICE, VIC, ADA]) await ok('POST', '/users', user);
    await ok('PUT', `/teams/ops/members/${ALICE.name}`, { role: 'owner' });
    await ok('PUT', `/teams/ops/members/${VIC.name}`, { role: 'viewer' });
    browser = await launchChromium();
    page = browser.page;
    page.setDefaultTimeout(SHOWS);
  });

  // A failed test leaves a screenshot of what the browser showed, for the reader of the CI log.
  beforeEach(({ task }) => {
    onTestFailed(async () => {
      const file = join(tmpdir(), `jobcenter-e2e-${task.name.replace(/\W+/g, '-').slice(0, 60)}.png`);
      await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      console.warn(`console e2e: "${task.name}" failed at ${page?.url()}; screenshot: ${file}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await tc?.close();
    await stopAll();
  });

  it('signs in with a local account, back to the page that was asked for', async () => {
    await go('/jobs');
    await page.waitForURL(/\/login\?next=%2Fjobs$/);
    await page.getByLabel('User name').fill(ALICE.name);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await byTest('login-error').filter({ hasText: 'Wrong user name or password' }).waitFor();
    await signIn(ALICE);
    await page.waitForURL(/\/jobs$/);
    await byTest('jobs-table').waitFor();
  });

  it('creates a worker group and a job, and tests its target', async () => {
    await go('/worker-groups');
    await byTest('new-group').click();
    const create = dialog('New worker group');
    await create.getByLabel('Name').fill('ops-workers');
    await create.getByLabel('Team').fill('ops');
    await create.getByLabel('Name').click();
    await create.getByRole('button', { name: 'New group' }).click();
    // The group's signing secret is shown once.
    await byTest('secret-value').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.waitForURL(/\/worker-groups\/ops-workers$/);
    await byTest('add-member').click();
    await byTest('member-url').fill(worker.url);
    await dialog('Add member').getByRole('button', { name: 'Add member' }).click();
    await byTest('members-table').getByText(worker.url).waitFor();

    await go('/jobs');
    await byTest('new-job').click();
    await byTest('job-name').fill('e2e.hello');
    await page.getByLabel('Team').fill('ops');
    await byTest('job-name').click();
    await byTest('job-cron').fill('*/2 * * * * *');
    await page.getByRole('combobox', { name: 'Worker group' }).fill('ops-workers');
    await byTest('job-path').click();
    await byTest('job-path').fill('/sync-ok');
    await byTest('job-params').fill('{"greeting": "hello"}');
    await byTest('job-save').click();
    await page.waitForURL(/\/jobs\/e2e\.hello$/);
    await byTest('job-title').filter({ hasText: 'e2e.hello' }).waitFor();
    const job = await ok<{ team: string; schedule: { cron: string }; target: { group: string } }>(
      'GET',
      '/jobs/e2e.hello',
    );
    expect(job).toMatchObject({
      team: 'ops',
      schedule: { cron: '*/2 * * * * *' },
      target: { group: 'ops-workers' },
    });

    await byTest('job-edit').click();
    await byTest('test-target').click();
    await byTest('test-target-send').click();
    const answer = byTest('test-target-answer');
    await answer.getByText('Finished: the member answered with a result').waitFor();
    await answer.getByText('200').waitFor();
    await answer.getByText(worker.url).waitFor();
    await page.keyboard.press('Escape');
    await answer.waitFor({ state: 'detached' });
  });

  it('sees the job fire, in its history and in the jobs table', async () => {
    await go('/jobs/e2e.hello');
    await byTest('run-history').locator('[data-status="succeeded"]').first().waitFor();
    await go('/jobs');
    await byTest('jobs-table')
      .locator('tr', { hasText: 'e2e.hello' })
      .locator('[data-status="succeeded"]')
      .waitFor();
  });

  it('pauses, resumes, and runs now with params', async () => {
    await go('/jobs/e2e.hello');
    await byTest('job-pause').click();
    await byTest('job-resume').waitFor();
    await expect
      .poll(async () => (await ok('GET', '/jobs/e2e.hello')).enabled, { timeout: SHOWS })
      .toBe(false);
    await byTest('job-resume').click();
    await byTest('job-pause').waitFor();
    await expect
      .poll(async () => (await ok('GET', '/jobs/e2e.hello')).enabled, { timeout: SHOWS })
      .toBe(true);

    await byTest('job-run-now').click();
    await byTest('run-now-params').fill('{"who": "e2e"}');
    await byTest('run-now-ok').click();
    await page.waitForURL(/\?run=/);
    const runId = new URL(page.url()).searchParams.get('run') as string;
    const drawer = byTest('run-drawer');
    await drawer.getByText(runId).waitFor();
    await drawer.locator('[data-status="succeeded"]').first().waitFor();
    await drawer.getByRole('tab', { name: 'Output' }).click();
    // The worker echoes the params it got: the job's, with the run-now ones over them.
    await byTest('run-output').getByText('"who": "e2e"').waitFor();
    await byTest('run-output').getByText('"greeting": "hello"').waitFor();
    const run = await ok<Run>('GET', `/runs/${runId}`);
    expect(run.trigger).toBe('manual');
    await page.keyboard.press('Escape');
  });

  it('draws failed, timed-out and missed runs on the trend, zooms, and opens a run with its log', async () => {
    await ok('POST', '/jobs', {
      name: 'e2e.mixed',
      team: 'ops',
      schedule: { cron: '*/2 * * * * *' },
      target: { group: 'ops-workers', path: '/async' },
      params: { delayMs: 20 },
      timeoutSec: 1,
    });
    await waitFor(
      async () =>
        (await ok<{ items: Run[] }>('GET', '/jobs/e2e.mixed/runs')).items.some(
          (r) => r.status === 'succeeded',
        ),
      'a scheduled run of e2e.mixed',
    );

    // Missed: fires that fall due while no scheduler runs are recorded as missed at the restart.
    const port = Number(new URL(tc.url).port);
    await tc.stop();
    const stoppedAt = Date.now();
    await waitFor(() => Date.now() > stoppedAt + 4_500, 'two fires to fall due while stopped', 10_000, 100);
    tc = await startCenter('sqlite', { port }, tc.db);

    const failed = await ok<Run>('POST', '/jobs/e2e.mixed/trigger', { params: { result: 'failed' } });
    const slow = await ok<Run>('POST', '/jobs/e2e.mixed/trigger', { params: { delayMs: 2_500 } });
    await waitFor(
      async () => (await ok<Run>('GET', `/runs/${failed.id}`)).status === 'failed',
      'the failed run',
    );
    await waitFor(async () => {
      const run = await ok<Run>('GET', `/runs/${slow.id}`);
      return run.status === 'succeeded' && run.timedOut;
    }, 'the timed-out run to finish');
    const missed = await ok<{ items: Run[] }>('GET', '/jobs/e2e.mixed/runs?status=missed');
    expect(missed.items.length).toBeGreaterThan(0);
    await ok('POST', '/jobs/e2e.mixed/pause');

    await go('/jobs/e2e.mixed?range=24h');
    const chart = byTest('trend-chart');
    await chart.waitFor();
    for (const kind of ['succeeded', 'failed', 'timedOut', 'missed']) {
      await byTest(`trend-kind-${kind}`).waitFor();
    }
    expect(await byTest('trend-kind-failed').getAttribute('data-count')).toBe('1');
    expect(await byTest('trend-kind-timedOut').getAttribute('data-count')).toBe('1');

    // Zoom with the wheel over the chart: the window goes into the URL, to be shared.
    const box = await chart.boundingBox();
    if (!box) throw new Error('the trend chart has no box');
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await page.mouse.wheel(0, -1_200);
    await expect
      .poll(() => new URL(page.url()).searchParams.get('zoomFrom'), { timeout: SHOWS })
      .toBeTruthy();
    await expect.poll(() => new URL(page.url()).searchParams.get('zoomTo'), { timeout: SHOWS }).toBeTruthy();

    // The slow run reported progress with two log lines.
    await byTest(`run-link-${slow.id}`).click();
    const drawer = byTest('run-drawer');
    await drawer.getByText(slow.id).waitFor();
    await byTest('run-log').getByText('line 1').waitFor();
    await byTest('run-log').getByText('line 2').waitFor();
    await drawer.getByText('async by e2e-worker').waitFor();
    await page.keyboard.press('Escape');
  });

  it('alerts: an admin adds and tests a webhook channel, a job alerts on failure, the alert is listed', async () => {
    const receiver = await startReceiver();
    try {
      await signOut();
      await signIn(ADA);

      // A webhook channel, through the form.
      await go('/admin/alert-channels');
      await byTest('new-channel').click();
      const drawer = byTest('channel-drawer');
      await byTest('channel-name').fill('e2e-hook');
      await byTest('channel-type').click();
      await page.locator('.ant-select-item-option', { hasText: 'Webhook' }).click();
      await byTest('channel-config-url').fill(receiver.url);
      await byTest('channel-secret-secret').fill('e2e-hook-secret-0123456789');
      await byTest('channel-save').click();
      await drawer.waitFor({ state: 'detached' });
      const row = byTest('channels-table').locator('tr', { hasText: 'e2e-hook' });
      await row.getByText('Signing secret').waitFor();
      const channel = await ok('GET', '/alert-channels/e2e-hook');
      expect(channel).toMatchObject({
        type: 'webhook',
        config: { url: receiver.url },
        secretSet: expect.arrayContaining(['secret']),
        enabled: true,
      });

      // The test message reaches the receiver, and the console says so. The signature, the
      // body and the retries are the server's tests' business.
      await byTest('channel-test-e2e-hook').click();
      await openedDialog('Test message through e2e-hook');
      const answered = page.waitForResponse((res) => res.url().endsWith('/alert-channels/e2e-hook/test'));
      await byTest('channel-test-send').click();
      const answer = (await (await answered).json()) as { ok: boolean; error: string | null };
      const result = byTest('channel-test-result');
      await result.waitFor();
      expect(answer).toMatchObject({ ok: true, error: null });
      expect(await result.getAttribute('data-ok')).toBe('true');
      await result.getByText(/^Sent in/).waitFor();
      await expect.poll(() => receiver.received.length, { timeout: SHOWS }).toBeGreaterThan(0);
      await page.keyboard.press('Escape');
      await result.waitFor({ state: 'detached' });

      // A maintenance window on the team, added and removed.
      await go('/admin/teams/ops');
      await byTest('add-maintenance').click();
      const addWindow = await openedDialog(/New maintenance window/);
      await byTest('maintenance-reason').fill('e2e database upgrade');
      await addWindow.getByRole('button', { name: 'Add window' }).click();
      const windows = byTest('maintenance-windows');
      await windows.getByText('e2e database upgrade').waitFor();
      const listed = await ok<{ items: { reason: string; createdBy: string }[] }>(
        'GET',
        '/teams/ops/maintenance-windows',
      );
      expect(listed.items).toMatchObject([{ reason: 'e2e database upgrade', createdBy: ADA.name }]);
      await windows.getByRole('button', { name: 'Remove window' }).click();
      const confirm = await openedDialog('Remove this maintenance window?');
      await confirm.getByRole('button', { name: 'Remove window' }).click();
      await windows.getByText('e2e database upgrade').waitFor({ state: 'detached' });

      // A job's alerts, set in the editor: failures go to the channel.
      await ok('POST', '/jobs', {
        name: 'e2e.alerting',
        team: 'ops',
        schedule: { cron: '0 0 1 1 *' },
        target: { group: 'ops-workers', path: '/async' },
        params: { delayMs: 20 },
      });
      await go('/jobs/e2e.alerting/edit');
      await byTest('alert-on-failed').click();
      const recipients = byTest('alert-recipients');
      await recipients.click();
      await page.keyboard.type('channel:e2e');
      // The known channel is offered as you type.
      await page.locator('.ant-select-item-option', { hasText: 'channel:e2e-hook' }).click();
      await page.keyboard.press('Escape');
      await recipients.locator('[data-recipient="channel:e2e-hook"]').waitFor();
      // A recipient that is not one is refused with the reason.
      await recipients.click();
      await page.keyboard.type('ops@example.com,');
      await page.getByText('"ops@example.com": start with user:, team:, email:, sms: or channel:').waitFor();
      await recipients.locator('[data-recipient="ops@example.com"] .ant-tag-close-icon').click();
      await byTest('job-save').click();
      await page.waitForURL(/\/jobs\/e2e\.alerting$/);
      const job = await ok<{ alerts: unknown }>('GET', '/jobs/e2e.alerting');
      expect(job.alerts).toMatchObject({ recipients: ['channel:e2e-hook'], on: ['failed'] });
      const settings = byTest('job-alerts');
      await settings.locator('[data-recipient="channel:e2e-hook"]').waitFor();

      // A failed run, started from the console.
      await byTest('job-run-now').click();
      await byTest('run-now-params').fill('{"result": "failed"}');
      await byTest('run-now-ok').click();
      await page.waitForURL(/\?run=/);
      const runId = new URL(page.url()).searchParams.get('run') as string;
      await waitFor(
        async () => (await ok<Run>('GET', `/runs/${runId}`)).status === 'failed',
        'the failed run',
      );
      await page.keyboard.press('Escape');

      // The alert worker turns the failure into a message within a few of its ticks.
      await waitFor(
        async () => (await ok<{ items: unknown[] }>('GET', '/alerts?job=e2e.alerting')).items.length > 0,
        'the alert of the failed run',
      );

      // The alert: on the Alerts page, filtered, linking to the run.
      await go('/alerts?kind=failed');
      const alertRow = byTest('alerts-table').locator('tr', { hasText: 'e2e.alerting' });
      await alertRow.waitFor();
      await alertRow.locator('[data-kind="failed"]').waitFor();
      await alertRow.getByText('e2e-hook').first().waitFor();
      expect(await alertRow.locator('[data-alert-status]').getAttribute('data-alert-status')).toMatch(
        /^(pending|sent|failed)$/,
      );
      await go('/alerts?kind=recovered');
      await byTest('alerts-table').getByText('No alert matches these filters.').waitFor();
      await go('/alerts?job=e2e.alerting');
      await byTest(`alert-run-${runId}`).click();
      await page.waitForURL(new RegExp(`/jobs/e2e\\.alerting\\?run=${runId}$`));
      await byTest('run-drawer').getByText(runId).waitFor();
      await page.keyboard.press('Escape');
      await byTest('job-recent-alerts').locator('[data-kind="failed"]').waitFor();
    } finally {
      await receiver.close();
    }
  });

  it('hides what a viewer may not do, and the API refuses it anyway', async () => {
    await ok('POST', '/jobs', {
      name: 'e2e.elsewhere',
      team: 'default',
      schedule: { cron: '0 0 1 1 *' },
      target: { url: `${worker.url}/sync-ok` },
    });
    await signOut();
    await signIn(VIC);

    await go('/jobs');
    const row = byTest('jobs-table').locator('tr', { hasText: 'e2e.hello' });
    await row.waitFor();
    expect(await byTest('jobs-table').locator('tr', { hasText: 'e2e.elsewhere' }).count()).toBe(0);
    expect(await byTest('new-job').count()).toBe(0);
    expect(await byTest('job-actions-e2e.hello').locator('button').count()).toBe(0);

    await go('/jobs/e2e.hello');
    await byTest('job-title').waitFor();
    for (const id of ['job-pause', 'job-resume', 'job-run-now', 'job-edit', 'job-more']) {
      expect(await byTest(id).count(), id).toBe(0);
    }

    // Channels are read, not changed; the team's maintenance windows likewise.
    await go('/admin/alert-channels');
    await byTest('channels-table').locator('tr', { hasText: 'e2e-hook' }).waitFor();
    for (const id of ['new-channel', 'channel-actions-e2e-hook', 'channel-enabled-e2e-hook']) {
      expect(await byTest(id).count(), id).toBe(0);
    }
    await go('/admin/teams/ops');
    await byTest('maintenance-windows').waitFor();
    expect(await byTest('add-maintenance').count()).toBe(0);

    const answers = await page.evaluate(async () => {
      const me = await (await fetch('/api/v1/auth/me')).json();
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`/api/v1${path}`, {
          method,
          headers: {
            'x-csrf-token': me.csrfToken,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return res.status;
      };
      return {
        pause: await call('POST', '/jobs/e2e.hello/pause', {}),
        trigger: await call('POST', '/jobs/e2e.hello/trigger', {}),
        edit: await call('PUT', '/jobs/e2e.hello', {
          name: 'e2e.hello',
          team: 'ops',
          schedule: { cron: '* * * * *' },
          target: { group: 'ops-workers', path: '/sync-ok' },
        }),
        remove: await call('DELETE', '/jobs/e2e.hello'),
        otherTeam: await call('POST', '/jobs/e2e.elsewhere/pause', {}),
        read: await call('GET', '/jobs/e2e.hello'),
      };
    });
    expect(answers).toEqual({ pause: 403, trigger: 403, edit: 403, remove: 403, otherTeam: 404, read: 200 });
    expect((await ok('GET', '/jobs/e2e.hello')).enabled).toBe(true);
  });

  it('switches to Chinese and back to English', async () => {
    await go('/jobs');
    await page.getByRole('menuitem', { name: 'Jobs' }).waitFor();
    await byTest('user-menu').click();
    await page.getByRole('menuitem', { name: 'Language' }).hover();
    await page.getByRole('menuitem', { name: '简体中文' }).click();
    await page.getByRole('menuitem', { name: '任务' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

    // The choice outlives a reload.
    await page.reload();
    await page.getByRole('menuitem', { name: '任务' }).waitFor();

    await byTest('user-menu').click();
    await page.getByRole('menuitem', { name: '语言' }).hover();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByRole('menuitem', { name: 'Jobs' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
  });
});
