/**
 * console: time to first render of the console's jobs page and job detail
 * page in headless Chromium, with 10,000 jobs and one job of 1,000,000 runs
 * (written straight into the store, as history does), against `jobcenter
 * serve` in its own process. Each load is a full navigation; its time is
 * from navigation start (`performance.now()` in the page) to the first
 * animation frame where the table rows (jobs) or the trend chart and the
 * history rows (detail) are in the DOM. The API calls of the same loads are
 * read from the page's resource timing.
 */

import { insertRuns } from './history.mjs';
import { emit, log, num, parseFlags, round, scratchStore, summary, table } from './lib/common.mjs';
import { insertGroup, insertJobs, makeJob, openBenchStore } from './lib/jobs.mjs';
import { startJobCenter } from './lib/procs.mjs';
import { schedulePairs } from './scale.mjs';

export const usage = `npm run bench -- console [--jobs 10000] [--runs 1000000] [--loads 20] [--db sqlite|postgres] [--save]`;

export function flags(argv) {
  return parseFlags(argv, { runs: { type: 'string' }, loads: { type: 'string' } });
}

export function hardTimeoutMs(f) {
  return (
    (300 + num(f.runs, 1_000_000) / 5_000 + num(f.jobs, 10_000) / 500 + num(f.loads, 20) * 2 * 10) * 1000
  );
}

const TARGET_MS = 1_500;
const USER = { name: 'bench-viewer', password: 'bench-console-password' };

/** Resolves in the page at the first frame where `selectors` all match: ms since navigation start. */
function firstRender(page, selectors) {
  return page.waitForFunction(
    (wanted) => (wanted.every((s) => document.querySelector(s)) ? performance.now() : false),
    selectors,
    { polling: 'raf', timeout: 60_000 },
  );
}

/** The API calls of the current page load: path without query → duration ms (the first of each). */
async function apiTimings(page) {
  return page.evaluate(() => {
    const out = {};
    for (const e of performance.getEntriesByType('resource')) {
      const url = new URL(e.name);
      // The event stream is open for the whole visit: not a call with a duration.
      if (!url.pathname.startsWith('/api/v1/') || url.pathname === '/api/v1/events') continue;
      const key = url.pathname.replace(/^\/api\/v1/, '');
      out[key] ??= e.duration;
    }
    return out;
  });
}

async function measurePage(page, label, url, selectors, loads) {
  const times = [];
  const api = {};
  let cold = null;
  for (let i = 0; i <= loads; i++) {
    await page.goto(url, { waitUntil: 'commit' });
    const ms = await (await firstRender(page, selectors)).jsonValue();
    // Let the calls the page made settle into resource timing.
    await page.waitForLoadState('networkidle').catch(() => undefined);
    if (i === 0) {
      cold = ms;
      continue;
    }
    times.push(ms);
    for (const [path, d] of Object.entries(await apiTimings(page))) {
      api[path] ??= [];
      api[path].push(d);
    }
  }
  const s = summary(times);
  return {
    label,
    loads,
    coldMs: round(cold, 0),
    p50: round(s.p50, 0),
    p95: round(s.p95, 0),
    max: round(s.max, 0),
    pass: s.p95 < TARGET_MS,
    api: Object.fromEntries(
      Object.entries(api).map(([path, ds]) => {
        const a = summary(ds);
        return [path, { p50: round(a.p50, 1), p95: round(a.p95, 1) }];
      }),
    ),
  };
}

export async function run(f) {
  const { chromiumInstalled, launchChromium, CHROMIUM_PATH } = await import(
    '../packages/web/scripts/chromium.mjs'
  );
  if (!chromiumInstalled()) throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  const jobCount = num(f.jobs, 10_000);
  const runCount = num(f.runs, 1_000_000);
  const loads = num(f.loads, 20);

  const store = await scratchStore('console', f.db);
  const repo = await openBenchStore(store);
  const pairs = schedulePairs(Math.min(1000, jobCount));
  await insertGroup(repo, 'bench', ['http://127.0.0.1:9']);
  await insertJobs(repo, jobCount - 1, (i) => {
    const p = pairs[i % pairs.length];
    return makeJob(`c-${String(i).padStart(6, '0')}`, {
      schedule: { cron: p.cron, timezone: p.timezone },
      team: `team-${i % 50}`,
      tags: [`t${i % 7}`],
    });
  });
  const history = makeJob('console-history-job', { enabled: false, team: 'team-0' });
  await repo.jobs.insert(history);
  await repo.close();
  const end = Math.floor(Date.now() / 1000) * 1000 - 1000;
  log(`console: ${jobCount} jobs written; inserting ${runCount} runs of ${history.name} on ${f.db}`);
  await insertRuns(store, history, { count: runCount, end, interval: 1000 });

  const jc = await startJobCenter({ dataDir: store.dataDir, databaseUrl: store.databaseUrl });
  const created = await jc.api('POST', '/users', { ...USER, admin: true });
  if (created.status !== 201)
    throw new Error(`creating the user: ${created.status} ${JSON.stringify(created.body)}`);

  const browser = await launchChromium();
  let results;
  try {
    const { page } = browser;
    page.setDefaultTimeout(60_000);
    await page.goto(`${jc.url}/login`);
    await page.getByLabel('User name').fill(USER.name);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-menu').filter({ hasText: USER.name }).waitFor();

    log(`console: jobs page × ${loads + 1}`);
    const jobsPage = await measurePage(
      page,
      `jobs page (${jobCount} jobs, first 50 rows)`,
      `${jc.url}/jobs`,
      ['[data-testid="jobs-table"] tbody tr[data-row-key]'],
      loads,
    );
    log(`console: job detail × ${loads + 1}`);
    const detailPage = await measurePage(
      page,
      `job detail (${runCount} runs: 7-day trend + history page)`,
      `${jc.url}/jobs/${history.name}`,
      ['[data-testid="trend-chart"] canvas', '[data-testid="run-history"] tbody tr[data-row-key]'],
      loads,
    );
    results = [jobsPage, detailPage];
  } finally {
    await browser.close();
    await jc.stop();
  }

  table(
    `console — first render in headless Chromium (ms from navigation start), ${loads} loads after 1 cold, ${f.db}, target p95 < ${TARGET_MS}`,
    ['page', 'cold', 'p50', 'p95', 'max', 'pass'],
    results.map((r) => [r.label, r.coldMs, r.p50, r.p95, r.max, r.pass ? 'yes' : 'NO']),
  );
  table(
    'API calls of those loads (resource timing in the page, ms)',
    ['page', 'call', 'p50', 'p95'],
    results.flatMap((r) =>
      Object.entries(r.api).map(([path, a]) => [r.label.split(' (')[0], path, a.p50, a.p95]),
    ),
  );
  emit(f, 'console', {
    db: f.db,
    jobs: jobCount,
    runs: runCount,
    loads,
    pages: results,
    target: `p95 < ${TARGET_MS} ms`,
    pass: results.every((r) => r.pass),
    jobcenterWarnings: jc.problems.length,
  });
}
