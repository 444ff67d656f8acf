import { describe, expect, it } from 'vitest';
import { CallbackError, createWorker, type JobContext, type WorkerOptions } from '../src/index.js';
import {
  deferred,
  guardEachTest,
  NOW_MS,
  NOW_SEC,
  type RecordedCall,
  send,
  startReceiver,
  startServer,
  triggerBody,
} from './helpers.js';

const cleanups = guardEachTest();

/** A fake JobCenter receiver and a worker on a real node:http server, with the fixed clock. */
async function setup(
  jobs: WorkerOptions['jobs'],
  options: Partial<WorkerOptions> = {},
  statusFor?: (call: RecordedCall, index: number) => number,
) {
  const receiver = await startReceiver(statusFor);
  const errors: unknown[] = [];
  const worker = createWorker({
    secret: 'whsec-test-3f9a1c',
    jobs,
    now: () => NOW_MS,
    reportBackoffMs: 5,
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanups.push(() => worker.close({ cancelRunning: true, timeoutMs: 2000 }));
  const { url } = await startServer((req, res) => {
    void worker.handle(req, res);
  });
  return { worker, receiver, url, errors, body: (runId: string) => triggerBody(runId, receiver.url) };
}

function results(calls: RecordedCall[]): RecordedCall[] {
  return calls.filter((c) => c.path.endsWith('/result'));
}

describe('signature checks over HTTP', () => {
  const echo = { mode: 'sync' as const, handler: (ctx: JobContext) => ({ day: ctx.params.day }) };

  it('accepts a valid signature', async () => {
    const { url, body } = await setup({ '/jobs/echo': echo });
    const answer = await send(`${url}/jobs/echo`, body('01RUNA'));
    expect(answer).toEqual({ status: 200, body: { status: 'succeeded', output: { day: '2027-01-14' } } });
  });

  it('rejects a tampered body, a wrong secret, a stale t, a future t and no header with 401', async () => {
    let calls = 0;
    const { url, body } = await setup({ '/jobs/echo': { mode: 'sync', handler: () => void calls++ } });
    const sent = JSON.stringify(body('01RUNB'));
    const cases = [
      [{ signedBody: sent.replace('2027-01-14', '2027-01-13') }, 'signature_mismatch'],
      [{ secret: 'someone-elses-secret' }, 'signature_mismatch'],
      [{ tSec: NOW_SEC - 301 }, 'signature_expired'],
      [{ tSec: NOW_SEC + 301 }, 'signature_expired'],
      [{ unsigned: true }, 'signature_missing'],
    ] as const;
    for (const [options, code] of cases) {
      const answer = await send(`${url}/jobs/echo`, sent, options);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: { code } });
    }
    expect(calls).toBe(0);
  });

  it('answers 404 for an unknown path, 400 for bad JSON, 405 for another method', async () => {
    const { url } = await setup({ '/jobs/echo': echo });
    expect((await send(`${url}/jobs/nope`, {})).status).toBe(404);
    const bad = await send(`${url}/jobs/echo`, '{"runId": ');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_json' } });
    const noRun = await send(`${url}/jobs/echo`, { job: 'x' });
    expect(noRun).toMatchObject({ status: 400, body: { error: { code: 'invalid_trigger' } } });
    const put = await fetch(`${url}/jobs/echo`, { method: 'PUT' });
    expect(put.status).toBe(405);
    await put.text();
  });
});

describe('sync jobs', () => {
  it('answers 200 with the output on success', async () => {
    const { url, body } = await setup({
      '/jobs/sum': {
        mode: 'sync',
        handler: (ctx) => ({ runId: ctx.runId, attempt: ctx.attempt, job: ctx.job }),
      },
    });
    const answer = await send(`${url}/jobs/sum`, body('01RUNC'));
    expect(answer).toEqual({
      status: 200,
      body: { status: 'succeeded', output: { runId: '01RUNC', attempt: 1, job: 'billing.refund-sweep' } },
    });
  });

  it('answers 200 with status failed and the message when the handler throws', async () => {
    const { url, body, receiver } = await setup({
      '/jobs/fail': {
        mode: 'sync',
        handler: async () => {
          throw new Error('ledger locked');
        },
      },
    });
    const answer = await send(`${url}/jobs/fail`, body('01RUND'));
    expect(answer).toEqual({ status: 200, body: { status: 'failed', message: 'ledger locked' } });
    expect(results(receiver.calls)).toEqual([]);
  });
});

describe('async jobs', () => {
  it('answers 202 at once, then posts progress and the result with the bearer token', async () => {
    const release = deferred();
    const { url, body, receiver, errors } = await setup({
      '/jobs/report': async (ctx) => {
        await release.promise;
        void ctx.progress(50, 'half way');
        void ctx.log('read 10 rows', 'wrote report.csv');
        return { rows: 10 };
      },
    });
    const answer = await send(`${url}/jobs/report`, body('01RUNE'));
    expect(answer).toEqual({ status: 202, body: { runId: '01RUNE', accepted: true } });
    release.resolve();
    const calls = await receiver.waitFor((c) => results(c).length === 1);
    const base = '/api/v1/callbacks/01RUNE';
    expect(calls.every((c) => c.authorization === 'Bearer token-01RUNE')).toBe(true);
    const progress = calls.filter((c) => c.path === `${base}/progress`);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((c) => c.body.progress === 50 && c.body.message === 'half way')).toBe(true);
    expect(progress.flatMap((c) => (c.body.log as string[] | undefined) ?? [])).toEqual([
      'read 10 rows',
      'wrote report.csv',
    ]);
    // Progress after a result is refused by JobCenter, so the result comes last.
    expect(calls.at(-1)).toEqual({
      path: `${base}/result`,
      authorization: 'Bearer token-01RUNE',
      body: { status: 'succeeded', output: { rows: 10 } },
    });
    expect(errors).toEqual([]);
  });

  it('retries the result after the receiver fails twice with 503', async () => {
    const { url, body, receiver, errors } = await setup(
      { '/jobs/report': () => ({ ok: true }) },
      {},
      (call, index) => (call.path.endsWith('/result') && index < 2 ? 503 : 200),
    );
    expect((await send(`${url}/jobs/report`, body('01RUNF'))).status).toBe(202);
    const calls = await receiver.waitFor((c) => results(c).length === 3);
    expect(results(calls).map((c) => c.body)).toEqual(
      Array(3).fill({ status: 'succeeded', output: { ok: true } }),
    );
    expect(errors).toEqual([]);
  });

  it('does not retry a refused result (401) and reports it; takes 409 as already recorded', async () => {
    const refused = await setup({ '/jobs/a': () => 'done' }, {}, () => 401);
    expect((await send(`${refused.url}/jobs/a`, refused.body('01RUNG'))).status).toBe(202);
    await refused.worker.close();
    expect(results(refused.receiver.calls)).toHaveLength(1);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0]).toBeInstanceOf(CallbackError);
    expect(refused.errors[0]).toMatchObject({ runId: '01RUNG', status: 401, retryable: false });

    const conflict = await setup({ '/jobs/a': () => 'done' }, {}, () => 409);
    expect((await send(`${conflict.url}/jobs/a`, conflict.body('01RUNH'))).status).toBe(202);
    await conflict.worker.close();
    expect(results(conflict.receiver.calls)).toHaveLength(1);
    expect(conflict.errors).toEqual([]);
  });

  it('gives up after reportRetries and says so', async () => {
    const { url, body, receiver, worker, errors } = await setup(
      { '/jobs/a': () => 'done' },
      { reportRetries: 2 },
      () => 500,
    );
    expect((await send(`${url}/jobs/a`, body('01RUNI'))).status).toBe(202);
    await worker.close();
    expect(results(receiver.calls)).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(
      /gave up reporting the result of run 01RUNI after 3 attempts/,
    );
  });

  it('runs a retried attempt of an in-flight run only once', async () => {
    const release = deferred();
    let executions = 0;
    const { url, body, receiver } = await setup({
      '/jobs/once': async () => {
        executions++;
        await release.promise;
      },
    });
    expect((await send(`${url}/jobs/once`, body('01RUNJ'))).status).toBe(202);
    expect((await send(`${url}/jobs/once`, { ...body('01RUNJ'), attempt: 2 })).status).toBe(202);
    release.resolve();
    await receiver.waitFor((c) => results(c).length === 1);
    expect(executions).toBe(1);
  });
});

describe('cancel', () => {
  it('aborts ctx.signal of the matching run and answers 200; cancelled: false for an unknown run', async () => {
    const started = deferred();
    const { url, body, receiver } = await setup({
      '/jobs/long': (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          started.resolve();
        }),
    });
    expect((await send(`${url}/jobs/long`, body('01RUNK'))).status).toBe(202);
    await started.promise;
    expect(await send(`${url}/jobs/long/cancel`, { runId: '01NOSUCHRUN' })).toEqual({
      status: 200,
      body: { runId: '01NOSUCHRUN', cancelled: false, reason: 'unknown run' },
    });
    expect((await send(`${url}/jobs/long/cancel`, { runId: '01RUNK' }, { secret: 'wrong' })).status).toBe(
      401,
    );
    expect(await send(`${url}/jobs/long/cancel`, { runId: '01RUNK' })).toEqual({
      status: 200,
      body: { runId: '01RUNK', cancelled: true },
    });
    const calls = await receiver.waitFor((c) => results(c).length === 1);
    expect(results(calls)[0]?.body).toEqual({
      status: 'failed',
      message: 'run 01RUNK was cancelled by JobCenter',
    });
  });
});

describe('maxConcurrent', () => {
  it('answers 409 busy when full, and accepts again once a run ends', async () => {
    const release = deferred();
    const { url, body, receiver, worker } = await setup(
      { '/jobs/slow': () => release.promise },
      { maxConcurrent: 1 },
    );
    expect((await send(`${url}/jobs/slow`, body('01RUNL'))).status).toBe(202);
    expect(worker.running).toBe(1);
    expect(await send(`${url}/jobs/slow`, body('01RUNM'))).toMatchObject({
      status: 409,
      body: { error: { code: 'busy' } },
    });
    release.resolve();
    await receiver.waitFor((c) => results(c).length === 1);
    expect(worker.running).toBe(0);
    expect((await send(`${url}/jobs/slow`, body('01RUNN'))).status).toBe(202);
  });
});

describe('GET triggers', () => {
  it('runs the job sync with runId and attempt from the headers, signature over the empty body', async () => {
    const seen: JobContext[] = [];
    const { url, receiver } = await setup({
      // An async job: with no callback to report to, a GET trigger still runs it sync.
      '/legacy/cleanup': (ctx) => {
        seen.push(ctx);
        return 'cleaned';
      },
    });
    const headers = { 'x-jobcenter-run': '01RUNO', 'x-jobcenter-attempt': '2' };
    const answer = await send(`${url}/legacy/cleanup?from=cron`, undefined, { method: 'GET', headers });
    expect(answer).toEqual({ status: 200, body: { status: 'succeeded', message: 'cleaned' } });
    expect(seen[0]).toMatchObject({ method: 'GET', runId: '01RUNO', attempt: 2, job: null, params: {} });
    expect(receiver.calls).toEqual([]);

    expect(
      (await send(`${url}/legacy/cleanup`, undefined, { method: 'GET', headers, secret: 'x' })).status,
    ).toBe(401);
    const noRun = await send(`${url}/legacy/cleanup`, undefined, { method: 'GET' });
    expect(noRun).toMatchObject({ status: 400, body: { error: { code: 'invalid_trigger' } } });
  });
});

describe('close', () => {
  it('refuses new runs with 503 and waits for in-flight runs and their results', async () => {
    const release = deferred();
    const { url, body, receiver, worker } = await setup({
      '/jobs/slow': () => release.promise.then(() => 'ok'),
    });
    expect((await send(`${url}/jobs/slow`, body('01RUNP'))).status).toBe(202);
    let closed = false;
    const closing = worker.close().then(() => {
      closed = true;
    });
    expect(worker.close()).toBe(worker.close());
    expect(await send(`${url}/jobs/slow`, body('01RUNQ'))).toMatchObject({
      status: 503,
      body: { error: { code: 'closing' } },
    });
    expect(closed).toBe(false);
    release.resolve();
    await closing;
    expect(results(receiver.calls).map((c) => c.body)).toEqual([{ status: 'succeeded', message: 'ok' }]);
  });
});
