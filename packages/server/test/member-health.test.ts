/**
 * Member health end to end on both dialects: probes that see a member go
 * down and come back, passive health from failed deliveries, lost runs, and
 * running runs per member in the API.
 * Real JobCenter, real worker processes on loopback, real database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { type GroupBody, memberCalls, type RunBody } from './helpers/members.js';
import { type Started, startWorker } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();

type RunWithAttempts = RunBody & {
  attempts: { member: string; httpStatus: number | null; error: string | null }[];
};

describe.each(DIALECTS)('member health on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;
  const { createGroup, member, readGroup, createJob, runNow, finished } = memberCalls(() => tc);

  beforeAll(async () => {
    tc = await startCenter(dialect, { memberProbeTimeoutMs: 500, memberFailureThreshold: 2 });
  });
  afterAll(() => tc?.close());

  it('probes members: one that goes down turns unhealthy, and healthy again when it comes back', async () => {
    let worker: Started = await startWorker('probed');
    const port = worker.port;
    try {
      const created = await createGroup({
        name: 'probed',
        members: [{ url: worker.url }],
        probe: { path: '/sync-plain', intervalSec: 1 },
      });
      expect(created.probe).toEqual({ path: '/sync-plain', intervalSec: 1 });
      await createGroup({ name: 'probed-500', members: [{ url: worker.url }], probe: { path: '/error' } });
      await waitFor(
        async () => (await member('probed-500', worker.url))?.healthy === false,
        'HTTP 500 probe',
      );
      expect((await member('probed-500', worker.url))?.lastError).toBe('probe: HTTP 500');
      expect(await member('probed', worker.url), 'the same URL, another group').toMatchObject({
        healthy: true,
      });

      await worker.stop();
      const down = await waitFor(async () => {
        const m = await member('probed', `http://127.0.0.1:${port}`);
        return m && !m.healthy ? m : null;
      }, 'the stopped member to turn unhealthy');
      expect(down.lastError).toMatch(/^probe: /);
      expect(down.lastErrorAt).toMatch(/Z$/);

      worker = await startWorker('probed', port);
      const up = await waitFor(async () => {
        const m = await member('probed', worker.url);
        return m?.healthy ? m : null;
      }, 'the member to recover');
      expect(up.lastError, 'the last error stays visible').toBe(down.lastError);
    } finally {
      await worker.stop();
    }
  });

  it('passive health: after memberFailureThreshold failed deliveries first routing skips a member, until a probe sees it back', async () => {
    let a: Started = await startWorker('passive-a');
    const b = await startWorker('passive-b');
    const aUrl = a.url;
    const port = a.port;
    const ended = async (job: string) => {
      const run = await finished((await runNow(job)).id, ['succeeded', 'failed']);
      return (await tc.api<RunWithAttempts>('GET', `/api/v1/runs/${run.id}`)).body;
    };
    const attempts = (run: RunWithAttempts) => run.attempts.map((t) => [t.member, t.httpStatus]);
    try {
      await createGroup({ name: 'passive', members: [{ url: aUrl }, { url: b.url }] });
      const job = await createJob({
        name: 'passive.first',
        target: { group: 'passive', path: '/sync-ok' },
        routing: 'first',
        delivery: 'until_delivered',
      });
      const before = await ended(job);
      expect(before.member, 'first: A while it is up').toBe(aUrl);
      expect(attempts(before)).toEqual([[aUrl, 200]]);

      await a.stop();
      const one = await ended(job);
      expect(one).toMatchObject({ status: 'succeeded', member: b.url });
      expect(attempts(one), 'a failed attempt on A, then B').toEqual([
        [aUrl, null],
        [b.url, 200],
      ]);
      expect(one.attempts[0]?.error).toBeTruthy();
      expect(await member('passive', aUrl), 'one failure, below the threshold of 2').toMatchObject({
        healthy: true,
        lastError: one.attempts[0]?.error,
      });

      const two = await ended(job);
      expect(attempts(two)).toEqual([
        [aUrl, null],
        [b.url, 200],
      ]);
      const down = await waitFor(async () => {
        const m = await member('passive', aUrl);
        return m && !m.healthy ? m : null;
      }, 'A to turn unhealthy after 2 failed deliveries');
      expect(down.lastError).toBeTruthy();
      expect(down.lastErrorAt).toMatch(/Z$/);
      expect(await member('passive', b.url)).toMatchObject({ healthy: true, lastError: null });

      const three = await ended(job);
      expect(three).toMatchObject({ status: 'succeeded', member: b.url });
      expect(attempts(three), 'straight to B: the unhealthy A goes last').toEqual([[b.url, 200]]);

      // A is back, but nothing has told JobCenter yet: still B.
      a = await startWorker('passive-a', port);
      expect(attempts(await ended(job))).toEqual([[b.url, 200]]);

      const probed = await tc.api<GroupBody>('PUT', '/api/v1/worker-groups/passive', {
        name: 'passive',
        members: [{ url: aUrl }, { url: b.url }],
        probe: { path: '/sync-plain', intervalSec: 1 },
      });
      expect(probed.status, JSON.stringify(probed.body)).toBe(200);
      const up = await waitFor(async () => {
        const m = await member('passive', aUrl);
        return m?.healthy ? m : null;
      }, 'the probe to see A healthy again');
      expect(up.lastError, 'the last error stays visible').toBe(down.lastError);
      const back = await ended(job);
      expect(back.member, 'first routing is back on A').toBe(aUrl);
      expect(attempts(back)).toEqual([[aUrl, 200]]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('shows running runs per member, and a lost run makes its member unhealthy', async () => {
    const [busy, idle] = await Promise.all([startWorker('busy'), startWorker('idle')]);
    try {
      await createGroup({ name: 'load', members: [{ url: busy.url }, { url: idle.url }] });
      const job = await createJob({
        name: 'load.silent',
        target: { group: 'load', path: '/async' },
        routing: 'first',
        params: { result: 'none' },
        deadlineSec: 600,
      });
      const run = await runNow(job);
      await finished(run.id, ['running']);
      const group = await readGroup('load');
      expect(group.members.map((m) => [m.url, m.runningCount])).toEqual([
        [busy.url, 1],
        [idle.url, 0],
      ]);
      const list = await tc.api<{ items: GroupBody[] }>('GET', '/api/v1/worker-groups?limit=500');
      expect(list.body.items.find((g) => g.name === 'load')?.members[0]?.runningCount).toBe(1);

      const lost = await createJob({
        name: 'load.lost',
        target: { group: 'load', path: '/async' },
        routing: 'first',
        params: { result: 'none' },
        deadlineSec: 0.5,
      });
      await finished((await runNow(lost)).id, ['lost']);
      const unhealthy = await waitFor(async () => {
        const m = await member('load', busy.url);
        return m && !m.healthy ? m : null;
      }, 'the member of a lost run to turn unhealthy');
      expect(unhealthy.lastError).toMatch(/no result before the deadline/);
    } finally {
      await Promise.all([busy.stop(), idle.stop()]);
    }
  });
});
