/**
 * Every alert kind comes from a real run change, on both dialects: a
 * timeout, a lost run, a skipped fire, a run nobody accepted, and fires
 * missed while the server was stopped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { startCenter, type TestCenter } from './helpers/center.js';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { type Started, startWorker } from './helpers/processes.js';
import { sleep, waitFor } from './helpers/wait.js';

guardProcesses();
const DIALECTS = await dialects();

const ALERTS: Partial<Config> = { alertIntervalMs: 100, alertWindowMs: 60_000 };
const ALL = ['failed', 'notify_failed', 'timeout', 'missed', 'skipped', 'lost', 'recovered'];

describe.each(DIALECTS)('alert kinds on %s', (dialect) => {
  let tc: TestCenter | null = null;
  let db: TestDatabase | null = null;
  let worker: Started | null = null;

  afterEach(async () => {
    await tc?.stop();
    await db?.drop();
    await worker?.stop();
    tc = db = worker = null;
  });

  async function setUp() {
    db = await createTestDatabase(dialect);
    tc = await startCenter(dialect, ALERTS, db);
    worker = await startWorker('w');
    await tc.api('POST', '/api/v1/worker-groups', { name: 'g', members: [{ url: worker.url }] });
    await tc.api('POST', '/api/v1/worker-groups', { name: 'down', members: [{ url: 'http://127.0.0.1:9' }] });
    await tc.api('POST', '/api/v1/alert-channels', {
      name: 'mail',
      type: 'email',
      config: { host: '127.0.0.1', port: 9, tls: 'none', from: 'jobcenter@example.com' },
      default: true,
    });
  }

  async function job(name: string, spec: Record<string, unknown>) {
    const res = await tc?.api('POST', '/api/v1/jobs', {
      name,
      schedule: { cron: '0 0 1 1 *' },
      target: { group: 'g', path: '/async' },
      alerts: { recipients: ['email:ops@example.com'], on: ALL },
      ...spec,
    });
    expect(res?.status, JSON.stringify(res?.body)).toBe(201);
  }

  const kinds = async (name: string) =>
    (
      (await tc?.api<{ items: { kind: string }[] }>('GET', `/api/v1/alerts?job=${name}`))?.body.items ?? []
    ).map((m) => m.kind);

  it('alerts timeout, lost, skipped and notify_failed from real runs', async () => {
    await setUp();
    await job('slow', { timeoutSec: 0.3 });
    await tc?.api('POST', '/api/v1/jobs/slow/trigger', { params: { delayMs: 1_500 } });
    await job('silent', { deadlineSec: 0.5 });
    await tc?.api('POST', '/api/v1/jobs/silent/trigger', { params: { result: 'none' } });
    await job('idle', { delivery: 'until_delivered_if_idle' });
    await tc?.api('POST', '/api/v1/jobs/idle/trigger', { params: { delayMs: 2_000 } });
    await tc?.api('POST', '/api/v1/jobs/idle/trigger');
    await job('unreached', { target: { group: 'down', path: '/x' } });
    await tc?.api('POST', '/api/v1/jobs/unreached/trigger');

    await waitFor(async () => (await kinds('slow')).includes('timeout'), 'timeout');
    await waitFor(async () => (await kinds('silent')).includes('lost'), 'lost');
    await waitFor(async () => (await kinds('idle')).includes('skipped'), 'skipped');
    await waitFor(async () => (await kinds('unreached')).includes('notify_failed'), 'notify_failed');
    expect(await kinds('slow'), 'the slow run still succeeded: no failure alert').not.toContain('failed');
  });

  it('alerts the fires missed while no scheduler ran', async () => {
    await setUp();
    await job('ticker', {
      schedule: { cron: '* * * * * *' },
      target: { group: 'g', path: '/sync-ok' },
      misfire: 'skip',
    });
    await waitFor(async () => {
      const runs = await tc?.api<{ items: unknown[] }>('GET', '/api/v1/jobs/ticker/runs');
      return (runs?.body.items.length ?? 0) > 0;
    }, 'a first fire');
    await tc?.stop();
    await sleep(3_000);
    tc = await startCenter(dialect, ALERTS, db ?? undefined);
    await waitFor(async () => (await kinds('ticker')).includes('missed'), 'missed');
    const missed = await tc.api<{ items: { status: string }[] }>(
      'GET',
      '/api/v1/jobs/ticker/runs?status=missed',
    );
    expect(missed.body.items.length).toBeGreaterThanOrEqual(2);
    // One alert for the whole outage; the rest wait for the window's digest.
    expect((await kinds('ticker')).filter((k) => k === 'missed')).toHaveLength(1);
  });
});
