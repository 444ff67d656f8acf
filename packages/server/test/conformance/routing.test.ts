/**
 * Routing strategies, until_delivered_if_idle, execution retries, cancel and
 * heartbeat limits, end to end on both dialects: real JobCenter, real worker
 * processes on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCenter, type TestCenter } from '../helpers/center.js';
import { dialects } from '../helpers/databases.js';
import { received, type Started, startWorker, stopAll } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const DIALECTS = await dialects();

interface RunBody {
  id: string;
  status: string;
  notifyStatus: string;
  message: string | null;
  member: string | null;
  trigger: string;
  retryOf: string | null;
  attempts: { n: number; member: string; httpStatus: number | null; shard?: number }[];
  shards: { index: number; member: string; status: string; notifyStatus: string }[];
  retries?: { id: string; status: string }[];
  events?: { message: string | null }[];
}

describe.each(DIALECTS)('routing and failure modes on %s', (dialect) => {
  let tc: TestCenter;
  let w1: Started;
  let w2: Started;
  let w3: Started;
  let n = 0;
  const jobName = () => `r-${++n}`;

  beforeAll(async () => {
    [w1, w2, w3] = await Promise.all([startWorker('w1'), startWorker('w2'), startWorker('w3')]);
    tc = await startCenter(dialect);
    for (const [name, members] of [
      ['trio', [w1, w2, w3]],
      ['trio-one-down', [w1, { url: 'http://127.0.0.1:9' }, w3]],
    ] as const) {
      const res = await tc.api('POST', '/api/v1/worker-groups', {
        name,
        members: members.map((m) => ({ url: m.url })),
      });
      expect(res.status).toBe(201);
    }
  });

  afterAll(async () => {
    await tc?.close();
    await stopAll();
  });

  async function createJob(spec: Record<string, unknown>): Promise<{ id: string; name: string }> {
    const res = await tc.api<{ id: string; name: string }>('POST', '/api/v1/jobs', {
      name: jobName(),
      schedule: { cron: '0 0 1 1 *' },
      target: { group: 'trio', path: '/sync-ok' },
      ...spec,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function trigger(job: string, params?: Record<string, unknown>): Promise<RunBody> {
    const res = await tc.api<RunBody>('POST', `/api/v1/jobs/${job}/trigger`, params ? { params } : {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body;
  }

  const run = async (id: string) => (await tc.api<RunBody>('GET', `/api/v1/runs/${id}`)).body;
  const ended = async (id: string) => {
    let last: RunBody | undefined;
    try {
      return await waitFor(async () => {
        last = await run(id);
        return last.status !== 'pending' && last.status !== 'running' ? last : undefined;
      }, `run ${id} to end`);
    } catch (err) {
      throw new Error(`${(err as Error).message}; the run: ${JSON.stringify(last)}`);
    }
  };

  it('round_robin takes the members in turn, and keeps its place across a restart', async () => {
    const job = await createJob({ routing: 'round_robin' });
    const members: (string | null)[] = [];
    for (let i = 0; i < 4; i++) members.push((await ended((await trigger(job.name)).id)).member);
    expect(members).toEqual([w1.url, w2.url, w3.url, w1.url]);

    await tc.stop();
    tc = await startCenter(dialect, {}, tc.db);
    const next = await ended((await trigger(job.name)).id);
    expect(next.member, 'the fifth delivery continues the rotation').toBe(w2.url);
  });

  it('every strategy delivers when one of three members is down, and records the failed attempt', async () => {
    for (const routing of ['random', 'first', 'round_robin', 'least_busy']) {
      const job = await createJob({
        routing,
        delivery: 'until_delivered',
        target: { group: 'trio-one-down', path: '/sync-ok' },
      });
      for (let i = 0; i < 3; i++) {
        const r = await ended((await trigger(job.name)).id);
        expect(r.status, `${routing} run ${i}`).toBe('succeeded');
        expect([w1.url, w3.url]).toContain(r.member);
        for (const a of r.attempts.slice(0, -1)) expect(a.member).toBe('http://127.0.0.1:9');
      }
    }
  });

  it('least_busy sends to the member with the fewest running runs', async () => {
    const job = await createJob({ routing: 'least_busy', target: { group: 'trio', path: '/async' } });
    // Three runs that stay running (no result): one per member, in the group's order.
    const busy: RunBody[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await trigger(job.name, { result: 'none', delayMs: 60_000 });
      busy.push(
        await waitFor(async () => {
          const got = await run(r.id);
          return got.status === 'running' ? got : undefined;
        }, 'the run to be running'),
      );
    }
    expect(busy.map((r) => r.member)).toEqual([w1.url, w2.url, w3.url]);
    // w2's run ends: w2 is now the least busy member.
    await tc.api('POST', `/api/v1/runs/${busy[1]?.id}/cancel`);
    const next = await trigger(job.name, { result: 'none', delayMs: 60_000 });
    const got = await waitFor(async () => {
      const r = await run(next.id);
      return r.member ? r : undefined;
    }, 'the run to have a member');
    expect(got.member).toBe(w2.url);
    for (const r of [busy[0], busy[2], got]) await tc.api('POST', `/api/v1/runs/${r?.id}/cancel`);
  });

  it('broadcast sends one shard to every member and succeeds only when every shard does', async () => {
    const job = await createJob({ routing: 'broadcast', target: { group: 'trio', path: '/async' } });
    const first = await ended((await trigger(job.name, { delayMs: 20 })).id);
    expect(first.status).toBe('succeeded');
    expect(first.notifyStatus).toBe('delivered');
    expect(first.shards.map((s) => [s.index, s.member, s.status])).toEqual([
      [0, w1.url, 'succeeded'],
      [1, w2.url, 'succeeded'],
      [2, w3.url, 'succeeded'],
    ]);
    expect(first.attempts.map((a) => a.shard).sort()).toEqual([0, 1, 2]);
    // Each member saw its own shard, callback URL and token.
    for (const [i, w] of [w1, w2, w3].entries()) {
      const mine = (await received(w)).filter((r) => r.body?.runId === first.id);
      expect(mine).toHaveLength(1);
      const body = mine[0]?.body as { shard: unknown; callback: { url: string; token: string } };
      expect(body.shard).toEqual({ index: i, total: 3 });
      expect(body.callback.url).toBe(`${tc.url}/api/v1/callbacks/${first.id}/shards/${i}`);
    }

    // One shard fails: the run fails and says so.
    const mixed = await createJob({ routing: 'broadcast', target: { group: 'trio', path: '/sync-ok' } });
    const res = await tc.api('POST', '/api/v1/worker-groups', {
      name: `mixed-${n}`,
      members: [{ url: w1.url }, { url: `${w2.url}/fail-prefix` }],
    });
    expect(res.status).toBe(201);
    await tc.api('PUT', `/api/v1/jobs/${mixed.name}`, {
      name: mixed.name,
      schedule: { cron: '0 0 1 1 *' },
      routing: 'broadcast',
      target: { group: `mixed-${n}`, path: '/sync-ok' },
    });
    const r = await ended((await trigger(mixed.name)).id);
    expect(r.status).toBe('failed');
    expect(r.notifyStatus).toBe('failed');
    expect(r.message).toMatch(/1 of 2 shards did not succeed/);
    expect(r.shards.map((s) => s.status)).toEqual(['succeeded', 'failed']);
  });

  it('shard callbacks take only their own shard token', async () => {
    const job = await createJob({ routing: 'broadcast', target: { group: 'trio', path: '/async' } });
    const r = await trigger(job.name, { result: 'none', delayMs: 60_000 });
    const tokens = await waitFor(async () => {
      const bodies = [w1, w2, w3].map(async (w) => {
        const got = (await received(w)).find((q) => q.body?.runId === r.id);
        return (got?.body as { callback: { token: string } } | undefined)?.callback.token;
      });
      const all = await Promise.all(bodies);
      return all.every((t) => t !== undefined) ? (all as string[]) : undefined;
    }, 'three shard triggers');
    const post = (path: string, token: string, body: unknown) =>
      tc.api('POST', `/api/v1/callbacks/${r.id}${path}`, body, { authorization: `Bearer ${token}` });
    const [t0, t1, t2] = tokens as [string, string, string];
    expect((await post('/shards/1/result', t0, { status: 'succeeded' })).status).toBe(401);
    expect(
      (await post('/result', t0, { status: 'succeeded' })).status,
      'a shard token is not the run token',
    ).toBe(401);
    expect((await post('/shards/7/result', t0, { status: 'succeeded' })).status).toBe(404);
    expect((await post('/shards/0/progress', t0, { progress: 10, log: ['hello'] })).status).toBe(200);
    for (const [i, t] of [t0, t1, t2].entries())
      expect((await post(`/shards/${i}/result`, t, { status: 'succeeded' })).status).toBe(200);
    expect((await post('/shards/2/result', t2, { status: 'failed' })).status, 'a shard result is final').toBe(
      409,
    );
    const done = await ended(r.id);
    expect(done.status).toBe('succeeded');
    expect(done.events?.some((e) => e.message === null)).toBe(true);
  });

  it('until_delivered_if_idle skips a fire while the previous run is open, atomically under a race', async () => {
    const job = await createJob({
      delivery: 'until_delivered_if_idle',
      target: { group: 'trio', path: '/async' },
    });
    const first = await trigger(job.name, { result: 'none', delayMs: 60_000 });
    const second = await trigger(job.name);
    expect(second.status).toBe('skipped');
    expect(second.notifyStatus).toBe('skipped');
    expect(second.message).toContain(first.id);
    await tc.api('POST', `/api/v1/runs/${first.id}/cancel`);

    // Ten run-nows at once on an idle job: exactly one goes out.
    const racers = await Promise.all(
      Array.from({ length: 10 }, () =>
        tc.api<RunBody>('POST', `/api/v1/jobs/${job.name}/trigger`, {
          params: { result: 'none', delayMs: 60_000 },
        }),
      ),
    );
    const statuses = racers.map((r) => r.body.status);
    expect(statuses.filter((s) => s !== 'skipped')).toHaveLength(1);
    const sent = racers.find((r) => r.body.status !== 'skipped')?.body.id as string;
    await waitFor(async () => (await run(sent)).status === 'running', 'the one run to be running');
    await tc.api('POST', `/api/v1/runs/${sent}/cancel`);
    const all = (await received(w1)).concat(await received(w2), await received(w3));
    const ids = new Set(racers.map((r) => r.body.id));
    expect(all.filter((r) => ids.has(r.body?.runId as string) && !r.path.endsWith('/cancel'))).toHaveLength(
      1,
    );
  });

  it('until_delivered_if_idle: run-nows racing the schedule never leave two runs open at once', async () => {
    const job = await createJob({
      schedule: { cron: '* * * * * *' },
      delivery: 'until_delivered_if_idle',
      target: { group: 'trio', path: '/async' },
      params: { result: 'none', delayMs: 60_000 },
    });
    // The first scheduled fire goes out and stays running; every later fire, scheduled or run-now,
    // must be skipped while it is open, whichever wins the race to the store.
    const first = await waitFor(async () => {
      const page = await tc.api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${job.name}/runs`);
      return page.body.items.find((r) => r.status === 'running');
    }, 'a first scheduled run in flight');
    for (let i = 0; i < 3; i++) {
      await Promise.all(
        Array.from({ length: 5 }, () => tc.api('POST', `/api/v1/jobs/${job.name}/trigger`, {})),
      );
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    await tc.api('POST', `/api/v1/jobs/${job.name}/pause`);
    const page = await tc.api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${job.name}/runs?limit=500`);
    const runs = page.body.items;
    const open = runs.filter((r) => r.status === 'pending' || r.status === 'running');
    expect(open.map((r) => r.id)).toEqual([first.id]);
    const skipped = runs.filter((r) => r.status === 'skipped');
    expect(skipped.length).toBeGreaterThanOrEqual(15);
    expect(new Set(skipped.map((r) => r.trigger))).toEqual(new Set(['manual', 'schedule']));
    for (const r of skipped) expect(r.message).toContain(first.id);
    const sent = (await Promise.all([w1, w2, w3].map((w) => received(w)))).flat();
    expect(sent.filter((q) => q.body?.jobId === job.id && !q.path.endsWith('/cancel'))).toHaveLength(1);
    await tc.api('POST', `/api/v1/runs/${first.id}/cancel`);
  });

  it('retries a failed run with backoff, each re-run its own run linked to the one it retries', async () => {
    const job = await createJob({
      target: { group: 'trio', path: '/sync-fail' },
      retry: { count: 2, backoffSec: 0.05 },
    });
    const first = await ended((await trigger(job.name, { tag: 'x' })).id);
    expect(first.status).toBe('failed');
    const second = await waitFor(async () => (await run(first.id)).retries?.[0], 'the first re-run');
    const r2 = await ended(second.id);
    expect(r2).toMatchObject({ trigger: 'retry', retryOf: first.id, status: 'failed' });
    const third = await waitFor(async () => (await run(r2.id)).retries?.[0], 'the second re-run');
    const r3 = await ended(third.id);
    expect(r3).toMatchObject({ trigger: 'retry', retryOf: r2.id, status: 'failed' });
    // retry.count is 2: the chain stops.
    const history = await tc.api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${job.name}/runs`);
    expect(history.body.items.map((r) => r.trigger)).toEqual(['retry', 'retry', 'manual']);
    expect((await run(r3.id)).retries).toEqual([]);
  });

  it('cancel marks the run cancelled, sends the signed cancel to its member, and a late result is kept aside', async () => {
    const job = await createJob({ target: { group: 'trio', path: '/async' }, routing: 'first' });
    const r = await trigger(job.name, { result: 'none', delayMs: 60_000 });
    await waitFor(async () => (await run(r.id)).status === 'running', 'running');
    const res = await tc.api<RunBody>('POST', `/api/v1/runs/${r.id}/cancel`);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('cancelled');
    const cancel = await waitFor(
      async () => (await received(w1)).find((q) => q.path === '/async/cancel' && q.body?.runId === r.id),
      'the cancel request',
    );
    expect(cancel.headers['x-jobcenter-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    await waitFor(
      async () => (await run(r.id)).events?.some((e) => e.message?.includes('answered 200')),
      'the cancel answer as a run event',
    );
    const again = await tc.api<{ error: { code: string } }>('POST', `/api/v1/runs/${r.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('run_finished');
    expect((await tc.api('POST', '/api/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel')).status).toBe(404);
  });

  it('a running run silent past heartbeatSec is lost long before its deadline, and not re-run once cancelled', async () => {
    const job = await createJob({
      target: { group: 'trio', path: '/async' },
      routing: 'first',
      heartbeatSec: 0.3,
      deadlineSec: 3600,
    });
    const r = await trigger(job.name, { result: 'none', delayMs: 60_000 });
    const lost = await ended(r.id);
    expect(lost.status).toBe('lost');
    expect(lost.message).toMatch(/heartbeat/);
  });
});
