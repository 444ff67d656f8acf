import { type Kysely, sql } from 'kysely';
import { RUN_STATUSES, type RunStatus } from '../domain/run.js';
import { IS_OPEN } from './open-runs.js';
import type { Database } from './schema.js';

export class StatsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Run counts by status since `since`, with timed-out runs counted apart. */
  async runCounts(since: number): Promise<{ byStatus: Record<RunStatus, number>; timedOut: number }> {
    const rows = await this.db
      .selectFrom('runs')
      .select([
        'status',
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<number>`sum(timed_out)`.as('timed_out'),
      ])
      .where('scheduled_at', '>=', since)
      .groupBy('status')
      .execute();
    const byStatus = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
    let timedOut = 0;
    for (const row of rows) {
      byStatus[row.status as RunStatus] = Number(row.n);
      timedOut += Number(row.timed_out ?? 0);
    }
    return { byStatus, timedOut };
  }

  /** Runs pending or running now, newest first. */
  async openRuns(limit: number) {
    return this.db
      .selectFrom('runs')
      .select(['id', 'job_id', 'job_name', 'status', 'fired_at', 'scheduled_at', 'progress', 'member'])
      .where(IS_OPEN)
      .orderBy('scheduled_at', 'desc')
      .limit(limit)
      .execute();
  }

  async countOpen(): Promise<number> {
    const row = await this.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(IS_OPEN)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The latest failures (failed or lost) since `since`. */
  async recentFailures(since: number, limit: number) {
    return this.db
      .selectFrom('runs')
      .select(['id', 'job_id', 'job_name', 'status', 'scheduled_at', 'finished_at', 'message', 'timed_out'])
      .where('scheduled_at', '>=', since)
      .where('status', 'in', ['failed', 'lost'])
      .orderBy('scheduled_at', 'desc')
      .limit(limit)
      .execute();
  }
}
