/**
 * What happens to runs in flight when their job changes (docs/protocol.md,
 * "Changes while runs are in flight"), on both dialects with real workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { received, type Started, startWorker, stopAll } from './helpers/processes.js';
import { sleep, waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();

interface RunBody {
  id: string;
  status: string;
  trigger: string;
  scheduledAt: string;
  retries?: { id: string }[];
}

describe.each(DIALECTS)('changes while runs are in flight on %s', (dialect) => {
  let tc: TestCenter;
  let w: Started;
  let n = 0;

  beforeAll(async () => {
    w = await startWorker('w');
    tc = await startCenter(dialect);
    await tc.api('POST', '/api/v1/worker-groups', { name: 'g', members: [{ url: w.url }] });
  });

  afterAll(async () => {
    await tc?.close();
    await stopAll();
  });

  const spec = (over: Record<string, unknown> = {}) => ({
    name: `c-${n}`,
    schedule: { cron: '0 0 1 1 *' },
    target: { group: 'g', path: '/async' },
    params: { delayMs: 400 },
    ...over,
  });
  async function create(over: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
    n++;
    const res = await tc.api<{ id: string; name: string }>('POST', '/api/v1/jobs', spec(over));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }
  const run = async (id: string) => (await tc.api<RunBody>('GET', `/api/v1/runs/${id}`)).body;
  const runNow = async (job: string) =>
    (await tc.api<RunBody>('POST', `/api/v1/jobs/${job}/trigger`, {})).body;
  const until = (id: string, status: string) =>
    waitFor(async () => (await run(id)).status === status, `run ${id} to be ${status}`);

  it('an edit of target and schedule leaves the run in flight alone; the next run uses the new definition', async () => {
    const job = await create();
    const r = await runNow(job.name);
    await until(r.id, 'running');
    const put = await tc.api('PUT', `/api/v1/jobs/${job.name}`, {
      ...spec({ name: job.name }),
      schedule: { cron: '0 0 2 1 *' },
      target: { group: 'g', path: '/sync-ok' },
    });
    expect(put.status).toBe(200);
    await until(r.id, 'succeeded');
    const next = await runNow(job.name);
    await until(next.id, 'succeeded');
    const paths = (await received(w)).filter((q) => q.body?.jobId === job.id).map((q) => q.path);
    expect(paths).toEqual(['/async', '/sync-ok']);
  });

  it('a pause during a run lets the run finish and stops the schedule', async () => {
    const job = await create({ schedule: { cron: '* * * * * *' }, params: { delayMs: 300 } });
    const first = await waitFor(async () => {
      const page = await tc.api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${job.name}/runs`);
      return page.body.items.find((r) => r.status === 'running');
    }, 'a scheduled run in flight');
    const paused = await tc.api<{ enabled: boolean; nextFireAt: string | null }>(
      'POST',
      `/api/v1/jobs/${job.name}/pause`,
    );
    expect(paused.body).toMatchObject({ enabled: false, nextFireAt: null });
    const pausedAt = Date.now();
    await until(first.id, 'succeeded');
    // Two schedule periods after the pause: nothing scheduled after it was written.
    await sleep(2_100);
    const page = await tc.api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${job.name}/runs?limit=500`);
    const later = page.body.items.filter((r) => Date.parse(r.scheduledAt) > pausedAt + 1_000);
    expect(later).toEqual([]);
  });

  it('deleting a job with a run in flight keeps the run going and its history readable', async () => {
    const job = await create({
      retry: { count: 2, backoffSec: 0.05 },
      params: { delayMs: 300, result: 'failed' },
    });
    const r = await runNow(job.name);
    await until(r.id, 'running');
    expect((await tc.api('DELETE', `/api/v1/jobs/${job.name}`)).status).toBe(204);
    expect((await tc.api('GET', `/api/v1/jobs/${job.name}`)).status).toBe(404);
    await until(r.id, 'failed');
    const history = await tc.api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${job.id}/runs`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((x) => x.id)).toEqual([r.id]);
    // A deleted job is not re-run.
    await sleep(500);
    expect((await run(r.id)).retries).toEqual([]);
  });
});
