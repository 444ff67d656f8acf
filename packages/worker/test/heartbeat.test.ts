/**
 * Run heartbeats: `ctx.heartbeat()` and the automatic ones of async runs,
 * received by a real node:http server playing JobCenter's callback side.
 */
import { describe, expect, it, vi } from 'vitest';
import { HeartbeatTimer } from '../src/heartbeat-timer.js';
import { createWorker, type WorkerOptions } from '../src/index.js';
import { MAX_LOG_LINES_PER_CALL } from '../src/progress-reporter.js';
import {
  deferred,
  guardEachTest,
  NOW_MS,
  type RecordedCall,
  SECRET,
  send,
  startReceiver,
  startServer,
  triggerBody,
} from './helpers.js';

const cleanups = guardEachTest(() => vi.useRealTimers());

async function setup(jobs: WorkerOptions['jobs'], options: Partial<WorkerOptions> = {}) {
  const receiver = await startReceiver();
  const errors: unknown[] = [];
  const worker = createWorker({
    secret: SECRET,
    jobs,
    now: () => NOW_MS,
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanups.push(() => worker.close({ cancelRunning: true, timeoutMs: 2000 }));
  const { url } = await startServer((req, res) => {
    void worker.handle(req, res);
  });
  return { worker, receiver, url, errors, body: (runId: string) => triggerBody(runId, receiver.url) };
}

const isHeartbeat = (call: RecordedCall) =>
  call.path.endsWith('/progress') && Object.keys(call.body).length === 0;

describe('automatic heartbeats', () => {
  it('are sent while a quiet async handler runs, with the run token, and stop when it finishes', async () => {
    const { url, body, receiver, worker, errors } = await setup(
      {
        '/jobs/quiet': async () => {
          // Quiet on purpose: only the automatic heartbeats can wake this up.
          await receiver.waitFor((calls) => calls.filter(isHeartbeat).length >= 3);
          return 'woke up';
        },
      },
      { heartbeatIntervalMs: 15 },
    );
    expect((await send(`${url}/jobs/quiet`, body('01RUNBEAT1'))).status).toBe(202);
    await receiver.waitFor((calls) => calls.some((c) => c.path.endsWith('/result')));
    await worker.close();
    const calls = receiver.calls;
    expect(calls.filter(isHeartbeat).length).toBeGreaterThanOrEqual(3);
    for (const call of calls) {
      expect(call.path.startsWith('/api/v1/callbacks/01RUNBEAT1/')).toBe(true);
      expect(call.authorization).toBe('Bearer token-01RUNBEAT1');
    }
    // The result is the last call: no heartbeat after it (and the guard sees no timer left).
    expect(calls.at(-1)?.body).toEqual({ status: 'succeeded', message: 'woke up' });
    expect(errors).toEqual([]);
  });

  it('are not sent with heartbeatIntervalMs 0, nor for a sync run', async () => {
    const release = deferred();
    const { url, body, receiver } = await setup(
      {
        '/jobs/async': async (ctx) => {
          await release.promise;
          await ctx.heartbeat(); // an explicit one still goes out
          return 'ok';
        },
      },
      { heartbeatIntervalMs: 0 },
    );
    expect((await send(`${url}/jobs/async`, body('01RUNBEAT2'))).status).toBe(202);
    release.resolve();
    await receiver.waitFor((calls) => calls.some((c) => c.path.endsWith('/result')));
    expect(receiver.calls.filter(isHeartbeat)).toHaveLength(1);

    const sync = await setup(
      { '/jobs/sync': { mode: 'sync', handler: () => new Promise((r) => setTimeout(r, 60)) } },
      { heartbeatIntervalMs: 5 },
    );
    expect((await send(`${sync.url}/jobs/sync`, sync.body('01RUNBEAT3'))).status).toBe(200);
    expect(sync.receiver.calls).toEqual([]);
  });

  it('stop when JobCenter cancels the run', async () => {
    const started = deferred();
    const { url, body, receiver, worker } = await setup(
      {
        '/jobs/long': async (ctx) => {
          started.resolve();
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
          // Outlive the cancel by several intervals: no heartbeat may follow it.
          await new Promise((resolve) => setTimeout(resolve, 100));
        },
      },
      { heartbeatIntervalMs: 10 },
    );
    expect((await send(`${url}/jobs/long`, body('01RUNBEAT4'))).status).toBe(202);
    await started.promise;
    await receiver.waitFor((calls) => calls.some(isHeartbeat));
    expect((await send(`${url}/jobs/long/cancel`, { runId: '01RUNBEAT4' })).status).toBe(200);
    const beatsAtCancel = receiver.calls.filter(isHeartbeat).length;
    await worker.close();
    // One heartbeat may have been on the wire when the cancel came; none started after it.
    expect(receiver.calls.filter(isHeartbeat).length).toBeLessThanOrEqual(beatsAtCancel + 1);
    expect(receiver.calls.at(-1)?.body).toMatchObject({ status: 'failed' });
  });
});

describe('ctx.heartbeat() and coalescing', () => {
  it('sends {} alone, and merges with progress and log lines made at the same time', async () => {
    const release = deferred();
    const { url, body, receiver } = await setup(
      {
        '/jobs/report': async (ctx) => {
          await ctx.heartbeat();
          void ctx.progress(10, 'started');
          void ctx.heartbeat();
          void ctx.log('a', 'b');
          await ctx.log('c');
          await release.promise;
          return 'ok';
        },
      },
      { heartbeatIntervalMs: 0 },
    );
    expect((await send(`${url}/jobs/report`, body('01RUNBEAT5'))).status).toBe(202);
    release.resolve();
    await receiver.waitFor((calls) => calls.some((c) => c.path.endsWith('/result')));
    expect(receiver.calls.map((c) => c.body)).toEqual([
      {},
      { progress: 10, message: 'started', log: ['a', 'b', 'c'] },
      { status: 'succeeded', message: 'ok' },
    ]);
  });

  it(`splits log lines above ${MAX_LOG_LINES_PER_CALL} into several calls, in order`, async () => {
    const lines = Array.from({ length: MAX_LOG_LINES_PER_CALL + 5 }, (_, i) => `line ${i}`);
    const { url, body, receiver } = await setup(
      {
        '/jobs/chatty': async (ctx) => {
          await ctx.log(...lines);
        },
      },
      { heartbeatIntervalMs: 0 },
    );
    expect((await send(`${url}/jobs/chatty`, body('01RUNBEAT6'))).status).toBe(202);
    await receiver.waitFor((calls) => calls.some((c) => c.path.endsWith('/result')));
    const sent = receiver.calls
      .filter((c) => c.path.endsWith('/progress'))
      .map((c) => c.body.log as string[]);
    expect(sent.map((batch) => batch.length)).toEqual([MAX_LOG_LINES_PER_CALL, 5]);
    expect(sent.flat()).toEqual(lines);
  });
});

describe('HeartbeatTimer (fake clock)', () => {
  it('beats only after a full interval without a touch, again and again, until stopped', () => {
    vi.useFakeTimers();
    let beats = 0;
    const timer = new HeartbeatTimer(1000, () => {
      beats++;
    });
    // Reports every 400 ms keep it quiet.
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(400);
      timer.touch();
    }
    expect(beats).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(beats).toBe(1);
    vi.advanceTimersByTime(2000);
    expect(beats).toBe(3);
    timer.stop();
    timer.stop();
    vi.advanceTimersByTime(10_000);
    expect(beats).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
  });
});
