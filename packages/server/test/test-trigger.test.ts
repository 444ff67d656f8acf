/**
 * `POST /jobs/{job}/test-trigger`: one signed trigger to one member, marked
 * as a test, answered with the member's answer, and never recorded as a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCenter, type TestCenter } from './helpers/center.js';
import { guardProcesses } from './helpers/guard.js';
import { received, type Started, startWorker } from './helpers/processes.js';
import { validSignature } from './helpers/signature.js';

guardProcesses();

interface TestAnswer {
  runId: string;
  member: string;
  httpStatus: number | null;
  outcome: string;
  result: { status: string; output: unknown } | null;
  error: string | null;
}

describe('test triggers (sqlite)', () => {
  let tc: TestCenter;
  let w1: Started;
  let w2: Started;
  let secret: string;

  beforeAll(async () => {
    tc = await startCenter('sqlite');
  });
  afterAll(() => tc?.close());

  it('sends one signed test trigger to the chosen member and records no run', async () => {
    w1 = await startWorker('w1');
    w2 = await startWorker('w2');
    const group = await tc.api<{ secret: string }>('POST', '/api/v1/worker-groups', {
      name: 'tt',
      members: [{ url: w1.url }, { url: w2.url }],
    });
    secret = group.body.secret;
    await tc.api('POST', '/api/v1/jobs', {
      name: 'tt-job',
      schedule: { cron: '0 0 1 1 *' },
      target: { group: 'tt', path: '/sync-ok' },
      params: { a: 1 },
    });
    const first = await tc.api<TestAnswer>('POST', '/api/v1/jobs/tt-job/test-trigger', { params: { b: 2 } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ member: w1.url, httpStatus: 200, outcome: 'finished', error: null });
    expect(first.body.result).toMatchObject({ status: 'succeeded', output: { echo: { a: 1, b: 2 } } });
    const chosen = await tc.api<TestAnswer>('POST', '/api/v1/jobs/tt-job/test-trigger', { member: w2.url });
    expect(chosen.body.member).toBe(w2.url);

    const [request] = await received(w1);
    expect(request?.headers['x-jobcenter-test']).toBe('1');
    expect(request?.body).toMatchObject({ trigger: 'test', job: 'tt-job', runId: first.body.runId });
    expect(validSignature(secret, request?.headers['x-jobcenter-signature'], request?.raw ?? '')).toBe(true);
    expect((await received(w2)).length).toBe(1);

    const runs = await tc.api<{ items: unknown[] }>('GET', '/api/v1/jobs/tt-job/runs');
    expect(runs.body.items, 'a test is not a run').toHaveLength(0);
    expect((await tc.api('GET', `/api/v1/runs/${first.body.runId}`)).status).toBe(404);
    const audit = await tc.api<{ items: { action: string }[] }>(
      'GET',
      '/api/v1/audit?action=job.test_trigger',
    );
    expect(audit.body.items).toHaveLength(2);
    await w1.stop();
    await w2.stop();
  });

  it('shows a failing member as failed, and refuses a member outside the group', async () => {
    const down = await tc.api<TestAnswer>('POST', '/api/v1/jobs/tt-job/test-trigger', {});
    expect(down.body).toMatchObject({ outcome: 'failed', httpStatus: null });
    expect(down.body.error).toBeTruthy();
    const stranger = await tc.api<{ error: { field: string } }>('POST', '/api/v1/jobs/tt-job/test-trigger', {
      member: 'http://127.0.0.1:1/other',
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.field).toBe('member');
  });
});
