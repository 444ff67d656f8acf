/**
 * The @jobcenter/worker SDK against a real JobCenter (SQLite): announcing
 * itself to a group, cancels reaching the handler's signal, broadcast shards
 * and automatic heartbeats. The workers run in this process on the SDK's
 * node:http adapter, over loopback, so each test can see what its handlers saw.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorker, type JobHandler, type Worker, type WorkerOptions } from '@jobcenter/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCenter, type TestCenter } from './helpers/center.js';
import { memberCalls } from './helpers/members.js';
import { freePort } from './helpers/ports.js';
import { waitFor } from './helpers/wait.js';

interface RunBody {
  id: string;
  status: string;
  notifyStatus: string;
  message: string | null;
  output: unknown;
  lateResult: unknown;
  member: string | null;
  attempts: { n: number; member: string; httpStatus: number | null }[];
  shards: { index: number; member: string; status: string; message: string | null }[];
  events: { message: string | null }[];
}

/** An SDK worker listening on loopback, and what it could not report to anyone. */
interface LiveWorker {
  worker: Worker;
  url: string;
  errors: unknown[];
}

describe('the @jobcenter/worker SDK against JobCenter (sqlite)', () => {
  let tc: TestCenter;
  const { createGroup, readGroup, createJob, runNow, finished } = memberCalls(() => tc);
  /** Workers the current test started; afterEach closes them, so none outlives its test. */
  const live: LiveWorker[] = [];

  beforeAll(async () => {
    tc = await startCenter('sqlite', { memberExpiryMs: 1_500, memberRefreshMs: 100 });
  });
  afterAll(() => tc?.close());
  afterEach(async () => {
    const left = live.splice(0);
    // cancelRunning and the timeout only matter when a test failed half-way.
    await Promise.all(left.map((w) => w.worker.close({ cancelRunning: true, timeoutMs: 5_000 })));
  });

  /** Starts an SDK worker on `port` (loopback), keeping what it could not report to anyone. */
  async function startSdkWorker(port: number, options: Omit<WorkerOptions, 'onError'>): Promise<LiveWorker> {
    const errors: unknown[] = [];
    const worker = createWorker({
      reportBackoffMs: 50,
      reportMaxBackoffMs: 200,
      ...options,
      onError: (error) => errors.push(error),
    });
    const started = { worker, url: `http://127.0.0.1:${port}`, errors };
    live.push(started);
    await worker.listen(port, '127.0.0.1');
    return started;
  }

  /**
   * A group listing `count` SDK workers, member i serving `jobsOf(i)`. The
   * ports come first: the group needs the URLs, the workers its secret.
   */
  async function listedGroup(
    name: string,
    count: number,
    jobsOf: (member: number) => WorkerOptions['jobs'],
    options: Partial<WorkerOptions> = {},
  ): Promise<LiveWorker[]> {
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const group = await createGroup({
      name,
      members: ports.map((port) => ({ url: `http://127.0.0.1:${port}` })),
    });
    const workers: LiveWorker[] = [];
    for (const [i, port] of ports.entries()) {
      workers.push(
        await startSdkWorker(port, { ...options, secret: group.secret as string, jobs: jobsOf(i) }),
      );
    }
    return workers;
  }

  const getRun = async (id: string) => (await tc.api<RunBody>('GET', `/api/v1/runs/${id}`)).body;
  const ended = async (id: string) => {
    await finished(id, ['succeeded', 'failed', 'lost', 'cancelled']);
    return getRun(id);
  };

  it('announces itself to a group with no listed members, and receives its run-now', async () => {
    const group = await createGroup({ name: 'sdk-announced', members: [] });
    const seen: { runId: string; trigger: string | null }[] = [];
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const w = await startSdkWorker(port, {
      secret: group.secret as string,
      jobs: {
        '/jobs/hello': async (ctx) => {
          seen.push({ runId: ctx.runId, trigger: ctx.trigger });
          return { greeting: `hello, ${String(ctx.params.name)}` };
        },
      },
      announce: { server: tc.url, group: 'sdk-announced', url, name: 'sdk-1', intervalMs: 200 },
    });

    const joined = await waitFor(
      async () => (await readGroup('sdk-announced')).members.find((m) => m.url === w.url),
      'the announced worker to join its group',
    );
    expect(joined).toMatchObject({ name: 'sdk-1', dynamic: true, healthy: true, lastError: null });
    expect(joined.lastSeenAt).toMatch(/Z$/);
    expect((await readGroup('sdk-announced')).members, 'no other member').toHaveLength(1);

    const job = await createJob({
      name: 'sdk.announced',
      target: { group: 'sdk-announced', path: '/jobs/hello' },
      params: { name: 'ops' },
    });
    const run = await ended((await runNow(job)).id);
    expect(run).toMatchObject({
      status: 'succeeded',
      notifyStatus: 'delivered',
      member: w.url,
      output: { greeting: 'hello, ops' },
    });
    expect(run.attempts.map((a) => [a.member, a.httpStatus])).toEqual([[w.url, 202]]);
    expect(seen).toEqual([{ runId: run.id, trigger: 'manual' }]);

    // close() stops announcing: the dynamic member falls silent and leaves the group.
    await w.worker.close();
    await waitFor(
      async () => (await readGroup('sdk-announced')).members.length === 0,
      'the closed worker to expire from its group',
    );
    expect(w.errors).toEqual([]);
  });

  it('cancel aborts the handler signal; the cancelled result is kept as lateResult', async () => {
    let started: string | undefined;
    let abortedWith: { name: string; message: string } | undefined;
    const [w] = await listedGroup('sdk-cancel', 1, () => ({
      '/jobs/wait': async (ctx) => {
        started = ctx.runId;
        // Waits for the cancel alone: no timer, so only the signal can end it.
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        const reason = ctx.signal.reason as DOMException;
        abortedWith = { name: reason.name, message: reason.message };
        throw reason;
      },
    }));
    const job = await createJob({ name: 'sdk.cancel', target: { group: 'sdk-cancel', path: '/jobs/wait' } });
    const run = await runNow(job);
    await finished(run.id, ['running']);
    await waitFor(() => started === run.id, 'the handler to start');

    const cancel = await tc.api<RunBody>('POST', `/api/v1/runs/${run.id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('cancelled');

    const reason = await waitFor(() => abortedWith, "the handler's signal to be aborted");
    expect(reason).toEqual({ name: 'AbortError', message: `run ${run.id} was cancelled by JobCenter` });

    const after = await waitFor(async () => {
      const r = await getRun(run.id);
      return r.lateResult !== null ? r : null;
    }, "the SDK's result to arrive as lateResult");
    expect(after.status, 'a late result does not move a cancelled run').toBe('cancelled');
    expect(after.lateResult).toMatchObject({
      status: 'failed',
      message: `run ${run.id} was cancelled by JobCenter`,
    });
    const events = await waitFor(async () => {
      const r = await getRun(run.id);
      return r.events.some((e) => e.message?.includes('answered')) ? r.events : null;
    }, 'the cancel answer as a run event');
    expect(events.map((e) => e.message)).toContain(`cancel request to ${w?.url} answered 200`);
    expect(w?.errors).toEqual([]);
  });

  it('broadcast gives each of 3 workers its own shard; one that throws fails the run', async () => {
    const seen: { worker: number; index: number; total: number; runId: string }[] = [];
    const handlerOf =
      (worker: number): JobHandler =>
      async (ctx) => {
        seen.push({ worker, ...ctx.shard, runId: ctx.runId });
        await sleep(20);
        if (ctx.params.failShard === ctx.shard.index) throw new Error(`shard ${ctx.shard.index} broke`);
        return { shard: ctx.shard.index };
      };
    const workers = await listedGroup('sdk-trio', 3, (i) => ({ '/jobs/shard': handlerOf(i) }));
    const urls = workers.map((w) => w.url);
    const job = await createJob({
      name: 'sdk.broadcast',
      target: { group: 'sdk-trio', path: '/jobs/shard' },
      routing: 'broadcast',
    });

    const ok = await ended((await runNow(job)).id);
    expect(ok.status).toBe('succeeded');
    expect(ok.shards.map((s) => [s.index, s.member, s.status])).toEqual([
      [0, urls[0], 'succeeded'],
      [1, urls[1], 'succeeded'],
      [2, urls[2], 'succeeded'],
    ]);
    const mine = seen.filter((s) => s.runId === ok.id).sort((a, b) => a.worker - b.worker);
    expect(
      mine.map((s) => [s.worker, s.index, s.total]),
      'each worker saw its own index of 3',
    ).toEqual([
      [0, 0, 3],
      [1, 1, 3],
      [2, 2, 3],
    ]);

    const bad = await ended(
      (await tc.api<RunBody>('POST', `/api/v1/jobs/${job}/trigger`, { params: { failShard: 1 } })).body.id,
    );
    expect(bad.status).toBe('failed');
    expect(bad.message).toMatch(/^1 of 3 shards did not succeed/);
    expect(bad.shards.map((s) => s.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(bad.shards[1]?.message).toBe('shard 1 broke');
    expect(workers.flatMap((w) => w.errors)).toEqual([]);
  });

  /**
   * A broadcast run on 3 SDK workers whose handlers wait for the cancel and
   * then return how far they got; cancels it once every handler has started.
   */
  async function cancelledBroadcast(name: string) {
    const started: number[] = [];
    const aborted: { index: number; reason: string }[] = [];
    const workers = await listedGroup(name, 3, () => ({
      '/jobs/wait': async (ctx) => {
        started.push(ctx.shard.index);
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        aborted.push({ index: ctx.shard.index, reason: (ctx.signal.reason as DOMException).message });
        return { stoppedAt: ctx.shard.index };
      },
    }));
    const job = await createJob({
      name: `sdk.${name}`,
      target: { group: name, path: '/jobs/wait' },
      routing: 'broadcast',
    });
    const run = await runNow(job);
    await waitFor(() => started.length === 3, 'every shard handler to start');
    const cancel = await tc.api<RunBody>('POST', `/api/v1/runs/${run.id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('cancelled');
    await waitFor(() => aborted.length === 3, "every shard handler's signal to be aborted");
    // close() resolves once each worker's result report has been answered.
    await Promise.all(workers.map((w) => w.worker.close()));
    return { run: await getRun(run.id), workers, aborted };
  }

  it('cancelling a broadcast run aborts the handler of every shard', async () => {
    const { run, workers, aborted } = await cancelledBroadcast('sdk-trio-cancel');
    expect(aborted.map((a) => a.index).sort()).toEqual([0, 1, 2]);
    for (const a of aborted) expect(a.reason).toBe(`run ${run.id} was cancelled by JobCenter`);
    expect(run.status).toBe('cancelled');
    expect(run.shards.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const events = await waitFor(async () => {
      const r = await getRun(run.id);
      const answers = r.events.filter((e) => e.message?.startsWith('cancel request'));
      return answers.length === 3 ? answers.map((e) => e.message) : null;
    }, 'the three cancel answers as run events');
    expect(events.sort()).toEqual(workers.map((w) => `cancel request to ${w.url} answered 200`).sort());
    expect(
      workers.flatMap((w) => w.errors),
      'no late shard result was refused (the SDK reports a refusal to onError)',
    ).toEqual([]);
  });

  // PROTOCOL.md §1: §2 applies per shard, so a shard's result after a cancel is kept as the
  // shard's lateResult (shards[i].lateResult).
  it("keeps each shard's late result after a broadcast run is cancelled", async () => {
    const { run } = await cancelledBroadcast('sdk-trio-late');
    const kept = JSON.stringify([run.lateResult, run.shards]);
    for (const index of [0, 1, 2]) expect(kept).toContain(`{"stoppedAt":${index}}`);
  });

  it('automatic heartbeats keep a quiet 3 s run alive under heartbeatSec 1; without them it is lost', async () => {
    const quiet: JobHandler = async (ctx) => {
      await sleep(3_000, undefined, { signal: ctx.signal });
      return { slept: 3_000 };
    };
    const jobs = () => ({ '/jobs/quiet': quiet });
    const [beating] = await listedGroup('sdk-beating', 1, jobs, { heartbeatIntervalMs: 200 });
    const [silent] = await listedGroup('sdk-silent', 1, jobs, { heartbeatIntervalMs: 0 });
    const limits = { heartbeatSec: 1, deadlineSec: 600 };
    const alive = await createJob({
      name: 'sdk.beating',
      target: { group: 'sdk-beating', path: '/jobs/quiet' },
      ...limits,
    });
    const dead = await createJob({
      name: 'sdk.silent',
      target: { group: 'sdk-silent', path: '/jobs/quiet' },
      ...limits,
    });

    const [a, d] = await Promise.all([runNow(alive), runNow(dead)]);
    const [aliveRun, deadRun] = await Promise.all([ended(a.id), ended(d.id)]);
    expect(aliveRun).toMatchObject({ status: 'succeeded', member: beating?.url, output: { slept: 3_000 } });
    expect(deadRun).toMatchObject({ status: 'lost', member: silent?.url });
    expect(deadRun.message).toMatch(/heartbeat/);

    // The silent worker still finishes and reports: JobCenter keeps it aside, the run stays lost.
    const late = await waitFor(async () => {
      const r = await getRun(d.id);
      return r.lateResult !== null ? r : null;
    }, 'the silent run result as lateResult');
    expect(late.status).toBe('lost');
    expect(late.lateResult).toMatchObject({ status: 'succeeded', output: { slept: 3_000 } });
    expect([...(beating?.errors ?? []), ...(silent?.errors ?? [])]).toEqual([]);
  });
});
