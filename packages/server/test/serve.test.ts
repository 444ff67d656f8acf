/**
 * `jobcenter serve` as a real process: graceful SIGTERM with a run in
 * flight, misfires after a stop, the bootstrap token, and bad flags.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS, ADMIN_TOKEN, apiClient } from './helpers/center.js';
import { guardProcesses } from './helpers/guard.js';
import { freePort } from './helpers/ports.js';
import { CLI, received, type Started, startServe, startWorker } from './helpers/processes.js';
import { sleep, waitFor } from './helpers/wait.js';

guardProcesses();

type Run = {
  id: string;
  status: string;
  notifyStatus: string;
  trigger: string;
  scheduledAt: string;
  output: unknown;
};

describe('jobcenter serve (process, sqlite)', () => {
  let dir: string;
  let configFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jobcenter-serve-'));
    configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        leaseTtlMs: 1500,
        leaseRenewMs: 200,
        monitorIntervalMs: 100,
        shutdownGraceMs: 3000,
        maxMissedPerJob: 3,
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(dataDir: string, port: number, env: Record<string, string> = {}): Promise<Started> {
    return startServe(
      ['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--config', configFile],
      { JOBCENTER_BOOTSTRAP_TOKEN: ADMIN_TOKEN, ...env },
    );
  }

  it('stops cleanly on SIGTERM with an async run in flight; the late result is taken after restart', async () => {
    const dataDir = join(dir, 'sigterm');
    const port = await freePort();
    const worker = await startWorker('w');
    let server = await serve(dataDir, port);
    const api = apiClient(server.url, ADMIN_HEADERS);
    await api('POST', '/api/v1/worker-groups', { name: 'g', members: [{ url: worker.url }] });
    await api('POST', '/api/v1/jobs', {
      name: 'slow',
      schedule: { cron: '0 0 1 1 *' },
      target: { group: 'g', path: '/async' },
    });
    const run = (await api<Run>('POST', '/api/v1/jobs/slow/trigger', { params: { delayMs: 1500 } })).body;
    await waitFor(
      async () => (await api<Run>('GET', `/api/v1/runs/${run.id}`)).body.status === 'running',
      'the run to be running',
    );

    expect(await server.stop('SIGTERM'), 'exit code after SIGTERM').toBe(0);
    expect(server.output(), 'a clean stop is not a lost lease').not.toMatch(/lease lost/);
    server = await serve(dataDir, port);
    const after = await waitFor(async () => {
      const r = (await api<Run>('GET', `/api/v1/runs/${run.id}`)).body;
      return r.status === 'running' ? undefined : r;
    }, 'the result reported after the restart');
    expect(after).toMatchObject({ status: 'succeeded', notifyStatus: 'delivered', output: { worker: 'w' } });
    expect(
      (await received(worker)).filter((r) => r.body?.runId === run.id),
      'sent once, not again after restart',
    ).toHaveLength(1);
    await server.stop();
    await worker.stop();
  });

  it('records fires missed while stopped: skip writes missed rows, fire_once adds one catchup run, long gaps a summary', async () => {
    const dataDir = join(dir, 'misfire');
    const port = await freePort();
    const worker = await startWorker('w');
    let server = await serve(dataDir, port);
    const api = apiClient(server.url, ADMIN_HEADERS);
    await api('POST', '/api/v1/worker-groups', { name: 'g', members: [{ url: worker.url }] });
    for (const [name, misfire] of [
      ['skipper', 'skip'],
      ['catcher', 'fire_once'],
    ]) {
      const res = await api('POST', '/api/v1/jobs', {
        name,
        misfire,
        schedule: { cron: '* * * * * *' },
        target: { group: 'g', path: '/sync-ok' },
      });
      expect(res.status).toBe(201);
    }
    const history = async (job: string) =>
      (await api<{ items: Run[] }>('GET', `/api/v1/jobs/${job}/runs?limit=500`)).body.items;
    await waitFor(
      async () => (await history('skipper')).length > 0 && (await history('catcher')).length > 0,
      'first fires',
    );
    await server.stop('SIGTERM');
    const stoppedAt = Date.now();
    await sleep(6_500);
    server = await serve(dataDir, port);
    const restartedAt = Date.now();
    await waitFor(
      async () => (await history('catcher')).some((r) => r.trigger === 'catchup'),
      'the catchup run',
    );
    await api('POST', '/api/v1/jobs/skipper/pause');
    await api('POST', '/api/v1/jobs/catcher/pause');

    for (const job of ['skipper', 'catcher']) {
      const runs = await history(job);
      const times = runs.map((r) => r.scheduledAt);
      expect(new Set(times).size, `${job}: no fire written twice`).toBe(times.length);
      const gap = runs.filter(
        (r) => Date.parse(r.scheduledAt) > stoppedAt && Date.parse(r.scheduledAt) < restartedAt - 1000,
      );
      expect(
        gap.every((r) => r.status === 'missed' || r.trigger === 'catchup'),
        `${job}: nothing in the gap was sent on time`,
      ).toBe(true);
      const missed = runs.filter((r) => r.status === 'missed');
      expect(missed.every((r) => r.notifyStatus === 'skipped')).toBe(true);
      // maxMissedPerJob is 3 here: three rows, then one summary row counting the rest.
      const summary = missed.filter((r) => r.output !== null);
      expect(missed.length - summary.length).toBe(3);
      expect(summary).toHaveLength(1);
      expect(summary[0]?.output).toMatchObject({
        missedCount: expect.any(Number),
        until: expect.any(String),
      });
    }
    const catchups = (await history('catcher')).filter((r) => r.trigger === 'catchup');
    expect(catchups).toHaveLength(1);
    expect((await history('skipper')).some((r) => r.trigger === 'catchup')).toBe(false);
    await server.stop();
    await worker.stop();
  });

  it('with JOBCENTER_BOOTSTRAP_TOKEN the API needs the token; health and callbacks do not', async () => {
    const server = await serve(join(dir, 'token'), await freePort(), {
      JOBCENTER_BOOTSTRAP_TOKEN: 'secret-admin-token',
    });
    const anonymous = apiClient(server.url);
    const admin = apiClient(server.url, { authorization: 'Bearer secret-admin-token' });
    expect((await anonymous('GET', '/api/v1/jobs')).status).toBe(401);
    expect(
      (await apiClient(server.url, { authorization: 'Bearer wrong' })('GET', '/api/v1/jobs')).status,
    ).toBe(401);
    expect((await admin('GET', '/api/v1/jobs')).status).toBe(200);
    expect((await anonymous('GET', '/api/v1/healthz')).status).toBe(200);
    expect(
      (
        await anonymous('POST', '/api/v1/callbacks/01JAAAAAAAAAAAAAAAAAAAAAAA/result', {
          status: 'succeeded',
        })
      ).status,
    ).toBe(404);
    await server.stop();
  });

  it('refuses bad flags and config files with a message naming the problem', () => {
    const bad = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [CLI, 'serve', ...args], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
    const port = bad(['--port', 'eighty']);
    expect(port.status).toBe(2);
    expect(port.stderr).toMatch(/port must be a non-negative integer, got "eighty"/);
    const missing = bad(['--config', join(dir, 'nope.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read config file/);
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ leaseTtlMS: 5 }));
    const typo = bad(['--config', join(dir, 'typo.json')]);
    expect(typo.stderr).toMatch(/unknown key "leaseTtlMS"/);
    const url = bad([], { DATABASE_URL: 'not a url' });
    expect(url.stderr).toMatch(/databaseUrl is not a valid URL/);
  });
});
