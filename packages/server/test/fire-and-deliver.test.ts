/**
 * The engine end to end on both dialects: real JobCenter, real worker
 * processes on loopback, real database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { received, type Started, startWorker, stopAll } from './helpers/processes.js';
import { validSignature } from './helpers/signature.js';
import { waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();

type RunBody = {
  id: string;
  status: string;
  notifyStatus: string;
  timedOut: boolean;
  message: string | null;
  output: unknown;
  attempts: { n: number; member: string; httpStatus: number | null; error: string | null }[];
  events?: { progress: number | null; message: string | null; log: string[] }[];
  lateResult: unknown;
  scheduledAt: string;
  firedAt: string | null;
  trigger: string;
  params: Record<string, unknown>;
  member: string | null;
  truncated: boolean;
};

describe.each(DIALECTS)('engine on %s', (dialect) => {
  let tc: TestCenter;
  let w1: Started;
  let w2: Started;
  let secret: string;
  let n = 0;
  const jobName = () => `job-${++n}`;

  beforeAll(async () => {
    [w1, w2] = await Promise.all([startWorker('w1'), startWorker('w2')]);
    tc = await startCenter(dialect);
    const group = await tc.api<{ secret: string }>('POST', '/api/v1/worker-groups', {
      name: 'workers',
      members: [{ url: w1.url }, { url: w2.url }],
    });
    expect(group.status).toBe(201);
    expect(group.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const solo = await tc.api<{ secret: string }>('POST', '/api/v1/worker-groups', {
      name: 'solo',
      members: [{ url: w1.url }],
    });
    secret = solo.body.secret;
    const read = await tc.api<Record<string, unknown>>('GET', '/api/v1/worker-groups/solo');
    expect(read.body.secret, 'the secret is never read back').toBeUndefined();
    await tc.api('POST', '/api/v1/worker-groups', {
      name: 'down',
      members: [{ url: 'http://127.0.0.1:9' }, { url: w2.url }],
    });
    await tc.api('POST', '/api/v1/worker-groups', {
      name: 'all-down',
      members: [{ url: 'http://127.0.0.1:9' }],
    });
  });

  afterAll(async () => {
    await tc?.close();
    await stopAll();
  });

  async function createJob(spec: Record<string, unknown>) {
    const res = await tc.api<{ id: string; name: string }>('POST', '/api/v1/jobs', {
      schedule: { cron: '0 0 1 1 *' },
      target: { group: 'workers', path: '/sync-ok' },
      ...spec,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function runNow(job: string, params?: Record<string, unknown>) {
    const res = await tc.api<RunBody>('POST', `/api/v1/jobs/${job}/trigger`, params ? { params } : {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body;
  }

  async function runWhen(id: string, done: (run: RunBody) => boolean): Promise<RunBody> {
    return waitFor(async () => {
      const res = await tc.api<RunBody>('GET', `/api/v1/runs/${id}`);
      return res.status === 200 && done(res.body) ? res.body : undefined;
    }, `run ${id} to reach the expected state`);
  }

  const ended = (r: RunBody) => !['pending', 'running'].includes(r.status);

  it('fires an every-second job once per second with the exact body, headers and a valid signature', async () => {
    const job = await createJob({
      name: jobName(),
      schedule: { cron: '* * * * * *' },
      target: { group: 'solo', path: '/sync-ok' },
      params: { a: 1 },
      timeoutSec: 30,
    });
    const mine = async () => (await received(w1)).filter((r) => r.body?.jobId === job.id);
    const requests = await waitFor(async () => {
      const list = await mine();
      return list.length >= 4 ? list : undefined;
    }, 'four fires');
    await tc.api('POST', `/api/v1/jobs/${job.id}/pause`);
    const all = await mine();
    const times = all.map((r) => Date.parse(r.body?.scheduledAt as string));
    expect(new Set(times).size, 'no fire twice').toBe(times.length);
    const sorted = [...times].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      expect((sorted[i] as number) - (sorted[i - 1] as number)).toBe(1000);
    for (const t of sorted) expect(t % 1000).toBe(0);

    const first = requests[0]!;
    expect(first.method).toBe('POST');
    expect(first.path).toBe('/sync-ok');
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['x-jobcenter-run']).toBe(first.body?.runId);
    expect(first.headers['x-jobcenter-attempt']).toBe('1');
    expect(validSignature(secret, first.headers['x-jobcenter-signature'], first.raw)).toBe(true);
    expect(validSignature('another-secret', first.headers['x-jobcenter-signature'], first.raw)).toBe(false);
    const body = first.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'attempt',
        'callback',
        'firedAt',
        'job',
        'jobId',
        'params',
        'runId',
        'scheduledAt',
        'shard',
        'timeoutSec',
        'trigger',
      ].sort(),
    );
    expect(body).toMatchObject({
      jobId: job.id,
      job: job.name,
      attempt: 1,
      trigger: 'schedule',
      params: { a: 1 },
      shard: { index: 0, total: 1 },
      timeoutSec: 30,
    });
    expect(body.callback).toEqual({
      url: `${tc.url}/api/v1/callbacks/${body.runId}`,
      token: expect.any(String),
    });
    expect(Date.parse(body.firedAt as string)).toBeGreaterThanOrEqual(Date.parse(body.scheduledAt as string));

    const run = await runWhen(body.runId as string, ended);
    expect(run).toMatchObject({
      status: 'succeeded',
      notifyStatus: 'delivered',
      trigger: 'schedule',
      member: w1.url,
    });
    expect(run.output).toEqual({ echo: { a: 1 }, worker: 'w1' });
    expect(run.attempts).toEqual([
      expect.objectContaining({ n: 1, member: w1.url, httpStatus: 200, error: null }),
    ]);

    const history = await tc.api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${job.id}/runs`);
    expect(history.body.items.length).toBe(all.length);
  });

  it('sends GET targets without a body, signed over the empty body', async () => {
    const job = await createJob({
      name: jobName(),
      target: { group: 'solo', path: '/sync-ok', method: 'GET' },
    });
    const run = await runNow(job.id);
    const request = await waitFor(
      async () => (await received(w1)).find((r) => r.headers['x-jobcenter-run'] === run.id),
      'the GET trigger',
    );
    expect(request.method).toBe('GET');
    expect(request.raw).toBe('');
    expect(request.headers['x-jobcenter-attempt']).toBe('1');
    expect(validSignature(secret, request.headers['x-jobcenter-signature'], '')).toBe(true);
    expect(await runWhen(run.id, ended)).toMatchObject({ status: 'succeeded' });
  });

  it("signs an absolute target.url with the job's own secret, shown only on creation", async () => {
    const res = await tc.api<{ id: string; secret: string }>('POST', '/api/v1/jobs', {
      name: jobName(),
      schedule: { cron: '0 0 1 1 *' },
      target: { url: `${w2.url}/sync-ok`, headers: { 'X-Tenant': 'acme' } },
    });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      (await tc.api<Record<string, unknown>>('GET', `/api/v1/jobs/${res.body.id}`)).body.secret,
    ).toBeUndefined();
    const run = await runNow(res.body.id);
    const request = await waitFor(
      async () => (await received(w2)).find((r) => r.body?.runId === run.id),
      'the trigger',
    );
    expect(validSignature(res.body.secret, request.headers['x-jobcenter-signature'], request.raw)).toBe(true);
    expect(request.headers['x-tenant']).toBe('acme');
    expect(await runWhen(run.id, ended)).toMatchObject({ status: 'succeeded', member: `${w2.url}/sync-ok` });
  });

  it('records a sync failure and a plain-text success', async () => {
    const failing = await createJob({ name: jobName(), target: { group: 'solo', path: '/sync-fail' } });
    const plain = await createJob({ name: jobName(), target: { group: 'solo', path: '/sync-plain' } });
    const [a, b] = [await runNow(failing.id), await runNow(plain.name)];
    expect(await runWhen(a.id, ended)).toMatchObject({
      status: 'failed',
      notifyStatus: 'delivered',
      message: 'boom',
    });
    expect(await runWhen(b.id, ended)).toMatchObject({
      status: 'succeeded',
      notifyStatus: 'delivered',
      output: null,
    });
  });

  it('caps a large sync result (marked truncated), and fails an answer too large to read', async () => {
    const job = await createJob({ name: jobName(), target: { group: 'solo', path: '/sync-big' } });
    const capped = await runWhen(
      (await runNow(job.id, { messageChars: 10_000, outputBytes: 200_000 })).id,
      ended,
    );
    expect(capped).toMatchObject({ status: 'succeeded', truncated: true, output: { truncated: true } });
    expect(capped.message?.length).toBeLessThan(4_100);
    const huge = await runWhen((await runNow(job.id, { outputBytes: 2_000_000 })).id, ended);
    expect(huge).toMatchObject({ status: 'failed', notifyStatus: 'delivered' });
    expect(huge.message).toMatch(/larger than maxResponseBytes/);
  });

  it('runs an async job: 202, progress with log lines, then the result by callback', async () => {
    const job = await createJob({ name: jobName(), target: { group: 'solo', path: '/async' } });
    const run = await runNow(job.id, { delayMs: 20 });
    const done = await runWhen(run.id, ended);
    expect(done).toMatchObject({ status: 'succeeded', notifyStatus: 'delivered', message: 'async by w1' });
    expect(done.events).toEqual([
      expect.objectContaining({ progress: 50, message: 'halfway', log: ['line 1', 'line 2'] }),
    ]);
  });

  it('merges run-now params over the job params', async () => {
    const job = await createJob({
      name: jobName(),
      target: { group: 'solo', path: '/sync-ok' },
      params: { a: 1, b: 2 },
    });
    const run = await runNow(job.id, { b: 3, c: 4 });
    expect(run.trigger).toBe('manual');
    expect(run.params).toEqual({ a: 1, b: 3, c: 4 });
    const done = await runWhen(run.id, ended);
    expect(done.output).toEqual({ echo: { a: 1, b: 3, c: 4 }, worker: 'w1' });
  });

  it('answers results idempotently, refuses a different one, and checks the run token', async () => {
    const job = await createJob({ name: jobName(), target: { group: 'solo', path: '/async' } });
    const run = await runNow(job.id, { result: 'none', delayMs: 0 });
    const request = await waitFor(
      async () => (await received(w1)).find((r) => r.body?.runId === run.id),
      'the trigger to arrive',
    );
    const cb = request.body?.callback as { url: string; token: string };
    const post = (kind: string, body: unknown, token: string | null = cb.token) =>
      fetch(`${cb.url}/${kind}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const result = { status: 'succeeded', message: 'fine', output: { rows: 3 } };
    expect((await post('result', result, null)).status).toBe(401);
    expect((await post('result', result, 'wrong-token')).status).toBe(401);
    const other = await runNow(job.id, { result: 'none' });
    const otherRequest = await waitFor(
      async () => (await received(w1)).find((r) => r.body?.runId === other.id),
      'trigger',
    );
    const otherToken = (otherRequest.body?.callback as { token: string } | undefined)?.token ?? '';
    expect((await post('result', result, otherToken)).status, 'a token is valid for its own run only').toBe(
      401,
    );
    expect((await post('result', { status: 'maybe' })).status).toBe(400);
    const unknown = await fetch(`${tc.url}/api/v1/callbacks/01JAAAAAAAAAAAAAAAAAAAAAAA/result`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cb.token}` },
      body: JSON.stringify(result),
    });
    expect(unknown.status).toBe(404);

    expect((await post('result', result)).status).toBe(200);
    expect((await post('result', result)).status, 'the same result again').toBe(200);
    const conflict = await post('result', { status: 'failed', message: 'changed my mind' });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('result_conflict');
    expect((await post('progress', { progress: 10 })).status, 'progress after the end').toBe(409);
    const stored = await runWhen(run.id, ended);
    expect(stored).toMatchObject({ status: 'succeeded', message: 'fine', output: { rows: 3 } });
  });

  it('routing first fails over to the second member; once makes exactly one attempt', async () => {
    const failover = await createJob({
      name: jobName(),
      routing: 'first',
      delivery: 'until_delivered',
      target: { group: 'down', path: '/sync-ok' },
    });
    const run = await runWhen((await runNow(failover.id)).id, ended);
    expect(run).toMatchObject({ status: 'succeeded', notifyStatus: 'delivered', member: w2.url });
    expect(run.attempts.map((a) => a.member)).toEqual(['http://127.0.0.1:9', w2.url]);
    expect(run.attempts[0]?.error).toMatch(/ECONNREFUSED/);

    const once = await createJob({
      name: jobName(),
      routing: 'first',
      delivery: 'once',
      target: { group: 'down', path: '/sync-ok' },
    });
    const onceRun = await runWhen((await runNow(once.id)).id, ended);
    expect(onceRun).toMatchObject({ status: 'failed', notifyStatus: 'failed' });
    expect(onceRun.message).toMatch(/not delivered/);
    expect(onceRun.attempts).toHaveLength(1);
  });

  it('until_delivered retries with backoff until a member accepts, and gives up by the deadline', async () => {
    const busy = await createJob({
      name: jobName(),
      delivery: 'until_delivered',
      deadlineSec: 1.5,
      target: { group: 'all-down', path: '/sync-ok' },
    });
    const run = await runWhen((await runNow(busy.id)).id, ended);
    expect(run).toMatchObject({ status: 'failed', notifyStatus: 'failed' });
    expect(run.attempts.length, 'several rounds before giving up').toBeGreaterThan(1);
    expect(run.attempts.map((a) => a.n)).toEqual(run.attempts.map((_, i) => i + 1));

    const job409 = await createJob({
      name: jobName(),
      delivery: 'until_delivered',
      routing: 'first',
      target: { group: 'solo', path: '/busy' },
      deadlineSec: 1,
    });
    const busyRun = await runWhen((await runNow(job409.id)).id, ended);
    expect(busyRun.notifyStatus).toBe('failed');
    expect(busyRun.attempts[0]).toMatchObject({ httpStatus: 409, error: 'member busy (409)' });
  });

  it('pauses and resumes: a paused job does not fire, and shows no next fire', async () => {
    const job = await createJob({
      name: jobName(),
      schedule: { cron: '* * * * * *' },
      target: { group: 'solo', path: '/sync-ok' },
    });
    const paused = await tc.api<{ enabled: boolean; nextFireAt: string | null }>(
      'POST',
      `/api/v1/jobs/${job.id}/pause`,
    );
    expect(paused.body).toMatchObject({ enabled: false, nextFireAt: null });
    const again = await tc.api<{ enabled: boolean }>('POST', `/api/v1/jobs/${job.id}/pause`);
    expect(again.status, 'pause is idempotent').toBe(200);
    const countAfterPause = (await tc.api<{ items: unknown[] }>('GET', `/api/v1/jobs/${job.id}/runs`)).body
      .items.length;
    await new Promise((r) => setTimeout(r, 2_200));
    const countLater = (await tc.api<{ items: unknown[] }>('GET', `/api/v1/jobs/${job.id}/runs`)).body.items
      .length;
    expect(countLater, 'no fire while paused').toBe(countAfterPause);
    const resumed = await tc.api<{ enabled: boolean; nextFireAt: string | null }>(
      'POST',
      `/api/v1/jobs/${job.id}/resume`,
    );
    expect(resumed.body.enabled).toBe(true);
    expect(resumed.body.nextFireAt).not.toBeNull();
    await waitFor(async () => {
      const items = (await tc.api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${job.id}/runs`)).body.items;
      return items.length > countLater && items.every((r) => r.status !== 'missed');
    }, 'a fire after resume, with no missed rows for the pause');
    await tc.api('POST', `/api/v1/jobs/${job.id}/pause`);
  });

  it('flags a slow run timedOut (it keeps running), and a run with no result becomes lost at its deadline', async () => {
    const slow = await createJob({
      name: jobName(),
      timeoutSec: 0.2,
      target: { group: 'solo', path: '/async' },
    });
    const run = await runWhen((await runNow(slow.id, { delayMs: 1_000 })).id, ended);
    expect(run).toMatchObject({ status: 'succeeded', timedOut: true });

    const silent = await createJob({
      name: jobName(),
      timeoutSec: 0.2,
      deadlineSec: 0.6,
      target: { group: 'solo', path: '/async' },
    });
    const lost = await runWhen((await runNow(silent.id, { result: 'none', delayMs: 0 })).id, ended);
    expect(lost).toMatchObject({ status: 'lost', notifyStatus: 'delivered', timedOut: true });
  });

  it('keeps a result that arrives after the run was declared lost as lateResult', async () => {
    const job = await createJob({
      name: jobName(),
      deadlineSec: 0.3,
      target: { group: 'solo', path: '/async' },
    });
    const run = await runNow(job.id, { delayMs: 1_200 });
    await runWhen(run.id, (r) => r.status === 'lost');
    const late = await runWhen(run.id, (r) => r.lateResult !== null);
    expect(late.status).toBe('lost');
    expect(late.lateResult).toMatchObject({ status: 'succeeded', message: 'async by w1' });
  });
});
