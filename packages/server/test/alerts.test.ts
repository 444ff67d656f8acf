/**
 * Alerting end to end on both dialects: real runs against a real worker
 * change state, the database triggers record the events, the alert worker
 * applies throttling, digests, episodes, escalation, paused jobs and
 * maintenance windows, and every message lands in the outbox and the
 * history (`GET /alerts`).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { freePort } from './helpers/ports.js';
import { type Started, startWorker } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

guardProcesses();
const DIALECTS = await dialects();

interface Message {
  kind: string;
  job: string;
  channel: string;
  recipient: string;
  subject: string;
  status: string;
  lastError: string | null;
}

describe.each(DIALECTS)('alerting on %s', (dialect) => {
  let tc: TestCenter;
  let worker: Started;
  let port: number;

  // The worker lives per test (the process guard counts what outlives a test), on one port.
  beforeEach(async () => {
    worker = await startWorker('w', port);
  });
  afterEach(async () => {
    await worker?.stop();
  });

  beforeAll(async () => {
    tc = await startCenter(dialect, { alertIntervalMs: 100, alertWindowMs: 3_000 });
    port = await freePort();
    await tc.api('POST', '/api/v1/worker-groups', {
      name: 'g',
      members: [{ url: `http://127.0.0.1:${port}` }],
    });
    const mail = await tc.api('POST', '/api/v1/alert-channels', {
      name: 'mail',
      type: 'email',
      config: { host: '127.0.0.1', port: 2, tls: 'none', from: 'jobcenter@example.com' },
      default: true,
    });
    expect(mail.status).toBe(201);
  });
  afterAll(async () => {
    await tc?.close();
  });

  async function job(name: string, path: string, extra: Record<string, unknown> = {}) {
    const res = await tc.api('POST', '/api/v1/jobs', {
      name,
      schedule: { cron: '0 0 1 1 *' },
      target: { group: 'g', path },
      alerts: { recipients: ['email:ops@example.com'], on: ['failed', 'recovered', 'notify_failed', 'lost'] },
      ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  async function runAndWait(name: string): Promise<string> {
    const run = (await tc.api<{ id: string }>('POST', `/api/v1/jobs/${name}/trigger`)).body;
    await waitFor(async () => {
      const r = await tc.api<{ status: string }>('GET', `/api/v1/runs/${run.id}`);
      return r.body.status !== 'pending' && r.body.status !== 'running';
    }, `run ${run.id} of ${name} to end`);
    return run.id;
  }

  const messages = async (name: string) =>
    (await tc.api<{ items: Message[] }>('GET', `/api/v1/alerts?job=${name}&limit=500`)).body.items.reverse();

  it('throttles a burst of 100 failures to one alert, then one digest naming the rest', async () => {
    await job('burst', '/sync-fail');
    await Promise.all(Array.from({ length: 100 }, () => tc.api('POST', '/api/v1/jobs/burst/trigger')));
    await waitFor(
      async () => (await messages('burst')).some((m) => m.kind === 'digest'),
      'the digest',
      30_000,
    );
    const all = await messages('burst');
    expect(
      all.filter((m) => m.kind === 'failed'),
      'one alert for the whole burst',
    ).toHaveLength(1);
    const digest = all.filter((m) => m.kind === 'digest');
    expect(digest).toHaveLength(1);
    expect(all[0]).toMatchObject({ channel: 'mail', recipient: 'ops@example.com' });
    const runs = await tc.api<{ items: { status: string }[] }>('GET', '/api/v1/jobs/burst/runs?limit=500');
    expect(runs.body.items.filter((r) => r.status === 'failed')).toHaveLength(100);
  });

  it('says recovered after a failure, and escalates once the failures reach the threshold', async () => {
    await job('flaky', '/sync-fail', {
      alerts: {
        recipients: ['email:ops@example.com'],
        on: ['failed', 'recovered'],
        escalation: { afterFailures: 3, recipients: ['email:boss@example.com'] },
      },
    });
    for (let i = 0; i < 3; i++) await runAndWait('flaky');
    await waitFor(
      async () => (await messages('flaky')).some((m) => m.recipient === 'boss@example.com'),
      'escalation',
    );
    const spec = (await tc.api<Record<string, unknown>>('GET', '/api/v1/jobs/flaky')).body;
    await tc.api('PUT', '/api/v1/jobs/flaky', {
      name: 'flaky',
      schedule: spec.schedule,
      target: { group: 'g', path: '/sync-ok' },
      alerts: spec.alerts,
    });
    await runAndWait('flaky');
    await waitFor(async () => (await messages('flaky')).some((m) => m.kind === 'recovered'), 'recovered');
    const all = await messages('flaky');
    const to = (kind: string) =>
      all
        .filter((m) => m.kind === kind)
        .map((m) => m.recipient)
        .sort();
    // 1st failure: ops; 2nd and 3rd held back by the window, but the 3rd escalates to boss.
    expect(to('failed')).toEqual(['boss@example.com', 'ops@example.com']);
    expect(to('recovered'), 'whoever heard of the episode').toEqual(['boss@example.com', 'ops@example.com']);
    // A second success is no news.
    await runAndWait('flaky');
    await new Promise((r) => setTimeout(r, 500));
    expect((await messages('flaky')).filter((m) => m.kind === 'recovered')).toHaveLength(2);
  });

  it('keeps quiet for a paused job and during its team maintenance window', async () => {
    await job('quiet', '/sync-fail', { team: 'ops' });
    await tc.api('POST', '/api/v1/jobs/quiet/pause');
    await runAndWait('quiet');
    const now = Date.now();
    await tc.api('POST', '/api/v1/jobs/quiet/resume');
    const window = await tc.api('POST', '/api/v1/teams/ops/maintenance-windows', {
      startsAt: new Date(now - 1_000).toISOString(),
      endsAt: new Date(now + 60_000).toISOString(),
      reason: 'database upgrade',
    });
    expect(window.status).toBe(201);
    await runAndWait('quiet');
    // Something after both, to know the worker has been through them.
    await job('marker', '/sync-fail');
    await runAndWait('marker');
    await waitFor(async () => (await messages('marker')).length > 0, 'the marker alert');
    expect(await messages('quiet')).toEqual([]);
  });

  it('keeps the credentials an edit leaves out, and never shows any', async () => {
    const made = await tc.api('POST', '/api/v1/alert-channels', {
      name: 'hook-edit',
      type: 'webhook',
      config: { url: 'http://127.0.0.1:9/hook' },
      secret: { secret: 'first-secret-0123456789', headers: { authorization: 'Bearer abc' } },
    });
    expect(made.status).toBe(201);
    const edited = await tc.api<{ secretSet: string[]; config: { url: string } }>(
      'PUT',
      '/api/v1/alert-channels/hook-edit',
      {
        name: 'hook-edit',
        type: 'webhook',
        config: { url: 'http://127.0.0.1:9/other' },
        secret: { secret: 'second-secret-0123456789' },
      },
    );
    expect(edited.status).toBe(200);
    expect(edited.body.secretSet).toEqual(['headers', 'secret']);
    const text = JSON.stringify((await tc.api('GET', '/api/v1/alert-channels')).body);
    expect(text).not.toContain('second-secret');
    expect(text).not.toContain('Bearer abc');
  });

  it('records a recipient that cannot be reached as a failed message naming why', async () => {
    await job('nobody', '/sync-fail', { alerts: { recipients: ['user:ghost'], on: ['failed'] } });
    await runAndWait('nobody');
    await waitFor(async () => (await messages('nobody')).length > 0, 'the failed message');
    expect((await messages('nobody'))[0]).toMatchObject({
      status: 'failed',
      recipient: 'user:ghost',
      lastError: 'no user named ghost',
    });
  });
});
