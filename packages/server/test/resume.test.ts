/**
 * Deliveries a previous process left pending (it died between writing a
 * fire and sending it) are sent at the next start, on both dialects.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_LIMITS } from '../src/domain/callback-rules.js';
import type { Job } from '../src/domain/job.js';
import { newId, newSecret } from '../src/ids.js';
import { pendingRun } from '../src/scheduler/run-rows.js';
import { openStore } from '../src/store/store.js';
import { startCenter } from './helpers/center.js';
import { createTestDatabase, dialects } from './helpers/databases.js';
import { testJob } from './helpers/jobs.js';
import { received, startWorker, stopAll } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();

describe.each(DIALECTS)('resuming pending deliveries on %s', (dialect) => {
  afterAll(() => stopAll());

  it('sends runs left pending, and fails those whose job was deleted', async () => {
    const worker = await startWorker('w');
    const db = await createTestDatabase(dialect);
    const store = await openStore({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      reportLimits: DEFAULT_REPORT_LIMITS,
    });
    const now = Date.now();
    await store.groups.insert({
      id: newId(now),
      name: 'g',
      team: null,
      description: '',
      secret: newSecret(),
      members: [{ url: worker.url, name: null, dynamic: false, lastSeenAt: null }],
      probe: null,
      createdAt: now,
      updatedAt: now,
    });
    const job: Job = testJob('left-behind', now, {
      schedule: { cron: '0 0 1 1 *', timezone: 'UTC' },
      target: {
        group: 'g',
        path: '/sync-ok',
        url: null,
        method: 'POST',
        headers: {},
        connectTimeoutMs: 3000,
        responseTimeoutMs: 30000,
      },
      params: { from: 'before the crash' },
      routing: 'first',
    });
    await store.jobs.insert(job);
    const left = pendingRun(job, 'manual', now, now, 86_400);
    const orphan = pendingRun({ ...job, id: newId(now), name: 'deleted' }, 'manual', now, now, 86_400);
    await store.runs.insertRuns([left, orphan]);
    await store.close();

    const tc = await startCenter(dialect, {}, db);
    try {
      const run = await waitFor(async () => {
        const r = (await tc.api<{ status: string; output: unknown }>('GET', `/api/v1/runs/${left.id}`)).body;
        return r.status === 'succeeded' ? r : undefined;
      }, 'the pending run to be sent');
      expect(run.output).toEqual({ echo: { from: 'before the crash' }, worker: 'w' });
      expect((await received(worker)).filter((r) => r.body?.runId === left.id)).toHaveLength(1);
      const gone = (
        await tc.api<{ status: string; notifyStatus: string; message: string }>(
          'GET',
          `/api/v1/runs/${orphan.id}`,
        )
      ).body;
      expect(gone).toMatchObject({
        status: 'failed',
        notifyStatus: 'failed',
        message: 'not delivered: the job was deleted',
      });
    } finally {
      await tc.close();
      await worker.stop();
    }
  });
});
