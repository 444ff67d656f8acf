#!/usr/bin/env node
/**
 * `npm run screenshots -w packages/web`: the console's main pages as PNGs
 * (1366×768) in docs/screenshots/, for the README.
 *
 * Starts the built server in this process on a fresh SQLite store, a worker
 * process (the test fixture: /sync-ok, /sync-fail, /async …), creates demo
 * teams, groups and jobs through the API (so the audit log has entries),
 * writes a week of history for one job straight into the store (failures,
 * timeouts and an outage's missed runs included), adds alert channels and
 * jobs that alert, signs in as a local admin in Chromium and photographs
 * each page. The alerts are real: their delivery status is what this
 * build's channels answered. Needs `npm run build` first,
 * `/usr/bin/chromium`, and a CJK font for the zh-CN page (fonts-noto-cjk).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insertRuns, RUN_COLUMNS, runRow } from '../../../bench/history.mjs';
import { loadConfig } from '../../server/dist/config.js';
import { createJobCenter } from '../../server/dist/main.js';
import { launchChromium } from './chromium.mjs';

const OUT = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const WORKER = fileURLToPath(new URL('../../server/test/fixtures/worker.mjs', import.meta.url));
const TOKEN = 'jc_screenshots-admin-token-0123456789';
const ADMIN = { name: 'alice', password: 'screenshots-password-1', displayName: 'Alice Chen', admin: true };
const log = (message) => process.stderr.write(`screenshots: ${message}\n`);

function startWorker() {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, PORT: '0', WORKER_NAME: 'worker-a' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening (\d+)/);
      if (match) resolve({ child, url: `http://127.0.0.1:${match[1]}` });
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
  });
}

function apiOf(base) {
  return async (method, path, body) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

async function until(probe, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const col = Object.fromEntries(RUN_COLUMNS.map((c, i) => [c, i]));

/**
 * A week of a 10-minute job: durations that follow the day, a few failures
 * and timeouts, and a 40-minute outage whose fires were missed.
 */
function demoRow(job, i, count, end, interval) {
  const row = runRow(job, i, count, end, interval);
  const { run } = row;
  const scheduled = run[col.scheduled_at];
  const hour = new Date(scheduled).getUTCHours();
  const duration = Math.round(38_000 + 22_000 * Math.sin((hour / 24) * 2 * Math.PI) + ((i * 7919) % 9_000));
  run[col.duration_ms] = duration;
  run[col.finished_at] = run[col.fired_at] + duration;
  run[col.status] = 'succeeded';
  run[col.timed_out] = 0;
  run[col.message] = 'refunds settled';
  if (i % 97 === 41) {
    run[col.status] = 'failed';
    run[col.message] = 'payment gateway answered 503';
  } else if (i % 131 === 7) {
    run[col.timed_out] = 1;
    run[col.duration_ms] = 125_000 + (i % 40) * 1000;
    run[col.finished_at] = run[col.fired_at] + run[col.duration_ms];
  } else if (i > count - 300 && i <= count - 296) {
    run[col.status] = 'missed';
    run[col.notify_status] = 'skipped';
    run[col.fired_at] = null;
    run[col.finished_at] = null;
    run[col.duration_ms] = null;
    run[col.member] = null;
    run[col.message] = 'missed: no scheduler was running';
  }
  return row;
}

async function seed(api, worker, dataDir) {
  await api('POST', '/users', ADMIN);
  for (const [name, description] of [
    ['billing', 'Payments and refunds'],
    ['data', 'Warehouse loads and reports'],
    ['ops', 'Housekeeping'],
  ]) {
    await api('POST', '/teams', { name, description });
  }
  await api('POST', '/users', { name: 'bob', password: 'screenshots-password-2', displayName: 'Bob Li' });
  await api('PUT', '/teams/billing/members/bob', { role: 'operator' });
  for (const [name, team] of [
    ['billing-workers', 'billing'],
    ['data-workers', 'data'],
    ['ops-workers', 'ops'],
  ]) {
    await api('POST', '/worker-groups', {
      name,
      team,
      description: `Executors of the ${team} team`,
      members: [{ url: worker.url, name: 'worker-a' }],
    });
  }
  const job = (name, team, cron, path, extra = {}) =>
    api('POST', '/jobs', {
      name,
      team,
      owner: extra.owner ?? 'alice',
      tags: extra.tags ?? [],
      description: extra.description ?? '',
      schedule: { cron, timezone: extra.timezone ?? 'Asia/Shanghai' },
      target: { group: `${team}-workers`, path },
      params: extra.params ?? {},
      timeoutSec: extra.timeoutSec ?? null,
      enabled: extra.enabled ?? true,
      ...(extra.alerts ? { alerts: extra.alerts } : {}),
    });
  await api('POST', '/alert-channels', {
    name: 'ops-mail',
    type: 'email',
    config: {
      host: 'smtp.example.com',
      port: 587,
      tls: 'starttls',
      from: 'JobCenter <jobcenter@example.com>',
      user: 'jobcenter',
    },
    secret: { password: 'smtp-password' },
    default: true,
  });
  await api('POST', '/alert-channels', {
    name: 'oncall-sms',
    type: 'sms',
    config: {
      method: 'POST',
      url: 'https://sms.example.com/v1/send',
      contentType: 'application/json',
      bodyTemplate: '{"to": "{{recipient}}", "text": "{{message}}"}',
      preset: 'signed',
    },
    secret: { appKey: 'app-key', appSecret: 'app-secret' },
    default: true,
  });
  await api('POST', '/alert-channels', {
    name: 'billing-dingtalk',
    type: 'dingtalk',
    secret: { webhook: 'https://oapi.dingtalk.com/robot/send?access_token=demo', secret: 'SECdemo' },
  });
  await api('POST', '/alert-channels', {
    name: 'data-feishu',
    type: 'feishu',
    secret: { webhook: 'https://open.feishu.cn/open-apis/bot/v2/hook/demo' },
  });
  await api('POST', '/alert-channels', {
    name: 'ops-hook',
    type: 'webhook',
    config: { url: `${worker.url}/sync-ok` },
    secret: { secret: 'webhook-secret-0123456789' },
    enabled: false,
  });
  const history = await job('billing.refund-sweep', 'billing', '*/10 * * * *', '/sync-ok', {
    tags: ['refund', 'daily-close'],
    description: 'Settles the refunds approved in the last ten minutes.',
    timeoutSec: 120,
    params: { batch: 500 },
  });
  await job('billing.invoice-reminders', 'billing', '0 9 * * MON-FRI', '/sync-ok', {
    tags: ['email'],
    owner: 'bob',
  });
  await job('billing.ledger-check', 'billing', '*/20 * * * * *', '/sync-fail', {
    tags: ['audit'],
    alerts: {
      recipients: ['channel:billing-dingtalk', 'email:billing-oncall@example.com'],
      on: ['failed', 'lost', 'recovered'],
      escalation: { afterFailures: 3, recipients: ['sms:+8613800000000'] },
    },
  });
  await job('data.warehouse-load', 'data', '0 */2 * * * *', '/async', {
    params: { delayMs: 800 },
    tags: ['etl'],
    alerts: { recipients: ['channel:data-feishu', 'email:data@example.com'], on: ['failed', 'timeout'] },
  });
  await job('data.nightly-report', 'data', '30 2 * * *', '/sync-ok', { tags: ['report'] });
  await job('data.export-partners', 'data', '0 6 1 * *', '/sync-ok', { enabled: false, tags: ['partners'] });
  await job('ops.rotate-logs', 'ops', '0 0 * * *', '/sync-ok', { timezone: 'UTC' });
  await job('ops.cache-warmup', 'ops', '*/15 * * * * *', '/sync-ok', { tags: ['cache'] });
  await job('ops.reindex', 'ops', '0 3 * * SUN', '/async', {
    params: { delayMs: 50, result: 'none' },
    description: 'Rebuilds the search index; reports progress as it goes.',
  });
  await api('POST', '/jobs/ops.rotate-logs/pause');

  // A week of history for the refund sweep, written the way the history benchmark writes it.
  const end = Math.floor(Date.now() / 600_000) * 600_000 - 600_000;
  const count = 7 * 24 * 6;
  await insertRuns(
    { dialect: 'sqlite', dataDir },
    { id: history.id, name: history.name },
    { count, end, interval: 600_000, makeRow: demoRow },
  );

  // Live runs: one with a log and a result, one that keeps running, a failure.
  const withLog = await api('POST', '/jobs/data.warehouse-load/trigger', {
    params: { delayMs: 300 },
  });
  await api('POST', '/jobs/ops.reindex/trigger', {});
  await api('POST', '/jobs/billing.ledger-check/trigger', {});
  await api('POST', '/jobs/data.warehouse-load/trigger', { params: { result: 'failed' } });
  const start = Date.now() + 3_600_000;
  await api('POST', '/teams/ops/maintenance-windows', {
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 7_200_000).toISOString(),
    reason: 'Database upgrade',
  });
  await until(async () => (await api('GET', `/runs/${withLog.id}`)).status === 'succeeded', 'the demo run');
  return { history, runWithLog: withLog };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'jobcenter-screenshots-'));
  const worker = await startWorker();
  const config = loadConfig({
    env: {},
    overrides: { bootstrapToken: TOKEN, host: '127.0.0.1', port: 0, dataDir, logLevel: 'warn' },
  });
  const center = await createJobCenter(config);
  const base = await center.start();
  let browser;
  try {
    const api = apiOf(base);
    log(`server ${base}, worker ${worker.url}: seeding`);
    const { history, runWithLog } = await seed(api, worker, dataDir);
    // Let the every-few-seconds jobs fire a few times.
    await until(
      async () => (await api('GET', '/jobs/ops.cache-warmup/runs')).items.length >= 2,
      'ops.cache-warmup to run',
    );

    browser = await launchChromium();
    const { page } = browser;
    page.setDefaultTimeout(30_000);
    await page.goto(`${base}/login`);
    await page.getByLabel('User name').fill(ADMIN.name);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-menu').filter({ hasText: ADMIN.displayName }).waitFor();

    const shoot = async (name, path, ready) => {
      await page.goto(`${base}${path}`);
      await ready();
      // Charts animate in; antd fades.
      await page.waitForTimeout(900);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(OUT, `${name}.png`) });
      log(`${name}.png`);
    };
    const visible = (testId) => () => page.getByTestId(testId).first().waitFor();
    const rows = (testId) => () =>
      page.getByTestId(testId).locator('tbody tr[data-row-key]').first().waitFor();

    await shoot('overview', '/', () => page.getByText(/^Running now/).waitFor());
    await shoot('jobs', '/jobs', rows('jobs-table'));
    const detail = `/jobs/${history.name}`;
    await shoot('job-detail', detail, async () => {
      await visible('trend-chart')();
      await rows('run-history')();
    });
    await shoot('run-drawer', `/jobs/${runWithLog.job}?run=${runWithLog.id}`, () =>
      page.getByTestId('run-log').waitFor(),
    );
    await shoot('job-editor', `${detail}/edit`, () => page.getByTestId('job-name').waitFor());
    await shoot('worker-groups', '/worker-groups', () => page.getByText('billing-workers').first().waitFor());
    await shoot('audit-log', '/admin/audit', () => page.getByText('job.create').first().waitFor());
    await until(async () => (await api('GET', '/alerts')).items.length >= 4, 'the demo alerts');
    await shoot('alerts', '/alerts', rows('alerts-table'));
    await shoot('alert-channels', '/admin/alert-channels', rows('channels-table'));

    await page.evaluate(() => localStorage.setItem('jobcenter.theme', 'dark'));
    await shoot('job-detail-dark', detail, visible('trend-chart'));
    await page.evaluate(() => localStorage.setItem('jobcenter.theme', 'light'));

    await page.evaluate(() => localStorage.setItem('jobcenter.language', 'zh-CN'));
    await shoot('jobs-zh-CN', '/jobs', rows('jobs-table'));
    await page.evaluate(() => localStorage.setItem('jobcenter.language', 'en'));
  } finally {
    await browser?.close();
    await center.stop();
    worker.child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
  log(`saved in ${OUT}`);
}

await main();
