/**
 * Cancels (`POST {path}/cancel`, signed like a trigger) over real HTTP on
 * loopback, through each adapter: node:http, Express and Fastify.
 */
import express from 'express';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createWorker, type JobContext, type Worker, type WorkerOptions } from '../src/index.js';
import {
  deferred,
  guardEachTest,
  NOW_MS,
  NOW_SEC,
  type RecordedCall,
  SECRET,
  send,
  startReceiver,
  startServer,
  trackServer,
  triggerBody,
} from './helpers.js';

const cleanups = guardEachTest();

type Adapter = 'node:http' | 'express' | 'fastify';

/** Serves the worker through one adapter on 127.0.0.1 and returns its base URL. */
async function serve(adapter: Adapter, worker: Worker): Promise<string> {
  if (adapter === 'node:http') {
    return (
      await startServer((req, res) => {
        void worker.handle(req, res);
      })
    ).url;
  }
  if (adapter === 'express') {
    const app = express();
    app.use(worker.middleware() as express.RequestHandler);
    app.use(express.json());
    return (await startServer(app)).url;
  }
  const app = Fastify();
  await app.register(worker.fastifyPlugin);
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.close());
  return trackServer(app.server);
}

async function setup(adapter: Adapter, jobs: WorkerOptions['jobs'], options: Partial<WorkerOptions> = {}) {
  const receiver = await startReceiver();
  const errors: unknown[] = [];
  const worker = createWorker({
    secret: SECRET,
    jobs,
    now: () => NOW_MS,
    reportBackoffMs: 5,
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanups.push(() => worker.close({ cancelRunning: true, timeoutMs: 2000 }));
  const url = await serve(adapter, worker);
  return { worker, receiver, url, errors, body: (runId: string) => triggerBody(runId, receiver.url) };
}

function results(calls: RecordedCall[]): RecordedCall[] {
  return calls.filter((c) => c.path.endsWith('/result'));
}

/**
 * A handler that ignores the first abort as long as it can: it waits for the
 * signal, logs and reports progress (both must be dropped), then returns a
 * success with output (which must not be reported as succeeded).
 */
function stubbornJob(started: { resolve: () => void }, seen: { reason?: unknown }) {
  return async (ctx: JobContext) => {
    void ctx.log('started');
    started.resolve();
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    seen.reason = ctx.signal.reason;
    void ctx.log('cleaning up after the cancel');
    void ctx.progress(90, 'still here');
    void ctx.heartbeat();
    return { processed: 40 };
  };
}

describe.each<Adapter>(['node:http', 'express', 'fastify'])('cancel through %s', (adapter) => {
  it('aborts the running handler, answers 200 cancelled, and never reports it succeeded', async () => {
    const started = deferred();
    const seen: { reason?: unknown } = {};
    const { url, body, receiver, worker, errors } = await setup(adapter, {
      '/jobs/long': stubbornJob(started, seen),
    });
    expect((await send(`${url}/jobs/long`, body('01RUNCANCEL1'))).status).toBe(202);
    await started.promise;
    await receiver.waitFor((calls) => calls.some((c) => c.body.log !== undefined));

    expect(await send(`${url}/jobs/long/cancel`, { runId: '01RUNCANCEL1' })).toEqual({
      status: 200,
      body: { runId: '01RUNCANCEL1', cancelled: true },
    });
    expect(seen.reason).toBeInstanceOf(DOMException);
    expect(seen.reason).toMatchObject({
      name: 'AbortError',
      message: 'run 01RUNCANCEL1 was cancelled by JobCenter',
    });

    const calls = await receiver.waitFor((c) => results(c).length === 1);
    await worker.close();
    // The result is a failure carrying the handler's output; JobCenter keeps it as lateResult.
    expect(results(receiver.calls).map((c) => c.body)).toEqual([
      { status: 'failed', message: 'run 01RUNCANCEL1 was cancelled by JobCenter', output: { processed: 40 } },
    ]);
    expect(calls.at(-1)?.authorization).toBe('Bearer token-01RUNCANCEL1');
    // Nothing the handler said after the cancel was sent.
    const progress = receiver.calls.filter((c) => c.path.endsWith('/progress'));
    expect(progress.map((c) => c.body)).toEqual([{ log: ['started'] }]);
    expect(worker.running).toBe(0);
    expect(errors).toEqual([]);
  });

  it('refuses a cancel with a bad signature (401) and leaves the run alone', async () => {
    const started = deferred();
    const release = deferred();
    let aborted = false;
    const { url, body, receiver } = await setup(adapter, {
      '/jobs/long': async (ctx) => {
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
        });
        started.resolve();
        await release.promise;
        return 'finished';
      },
    });
    expect((await send(`${url}/jobs/long`, body('01RUNCANCEL2'))).status).toBe(202);
    await started.promise;
    const cancel = { runId: '01RUNCANCEL2' };
    expect(await send(`${url}/jobs/long/cancel`, cancel, { secret: 'someone-elses' })).toMatchObject({
      status: 401,
      body: { error: { code: 'signature_mismatch' } },
    });
    expect(await send(`${url}/jobs/long/cancel`, cancel, { tSec: NOW_SEC - 301 })).toMatchObject({
      status: 401,
      body: { error: { code: 'signature_expired' } },
    });
    expect((await send(`${url}/jobs/long/cancel`, cancel, { unsigned: true })).status).toBe(401);
    expect(aborted).toBe(false);
    release.resolve();
    const calls = await receiver.waitFor((c) => results(c).length === 1);
    expect(results(calls)[0]?.body).toEqual({ status: 'succeeded', message: 'finished' });
  });

  it('answers 200 cancelled: false for a run it does not know, and 400 for a body without runId', async () => {
    const { url } = await setup(adapter, { '/jobs/long': () => 'ok' });
    expect(await send(`${url}/jobs/long/cancel`, { runId: '01NOSUCHRUN' })).toEqual({
      status: 200,
      body: { runId: '01NOSUCHRUN', cancelled: false, reason: 'unknown run' },
    });
    expect(await send(`${url}/jobs/long/cancel`, { run: 'x' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_trigger' } },
    });
  });
});

describe('cancel of a sync run', () => {
  it('answers the open trigger with a failed result', async () => {
    const started = deferred();
    const { url, body } = await setup('node:http', {
      '/jobs/sync': {
        mode: 'sync',
        handler: async (ctx) => {
          started.resolve();
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
          return 'done anyway';
        },
      },
    });
    const answer = send(`${url}/jobs/sync`, body('01RUNCANCEL3'));
    await started.promise;
    expect((await send(`${url}/jobs/sync/cancel`, { runId: '01RUNCANCEL3' })).body).toMatchObject({
      cancelled: true,
    });
    expect(await answer).toEqual({
      status: 200,
      body: { status: 'failed', message: 'run 01RUNCANCEL3 was cancelled by JobCenter' },
    });
  });
});

describe('cancel while the worker closes', () => {
  it('still reports the result of a run aborted by close({ cancelRunning }) as the handler decides', async () => {
    const started = deferred();
    const { url, body, receiver, worker } = await setup('node:http', {
      '/jobs/long': async (ctx) => {
        started.resolve();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        await ctx.log('stopped early: the worker is closing');
        return { status: 'failed', message: String((ctx.signal.reason as Error).message) };
      },
    });
    expect((await send(`${url}/jobs/long`, body('01RUNCLOSE1'))).status).toBe(202);
    await started.promise;
    await worker.close({ cancelRunning: true });
    // JobCenter did not cancel this run, so its progress and result still count.
    expect(receiver.calls.map((c) => c.body)).toEqual([
      { log: ['stopped early: the worker is closing'] },
      { status: 'failed', message: 'the worker is closing' },
    ]);
  });
});
