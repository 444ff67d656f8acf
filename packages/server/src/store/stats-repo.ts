import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { RUN_STATUSES, type RunStatus } from '../domain/run.js';
import { IS_OPEN } from './open-runs.js';
import type { Database } from './schema.js';

/**
 * Restricts runs to jobs of `teams` (a non-admin's view), deleted jobs
 * included through their tombstones; null: every run.
 */
export function runsOfTeams(teams: readonly string[] | null) {
  return (eb: ExpressionBuilder<Database, 'runs'>) => {
    if (teams === null) return eb.lit(true);
    if (teams.length === 0) return eb.lit(false);
    return eb.or([
      eb('runs.job_id', 'in', eb.selectFrom('jobs').select('jobs.id').where('jobs.team', 'in', teams)),
      eb(
        'runs.job_id',
        'in',
        eb
          .selectFrom('job_tombstones')
          .select('job_tombstones.job_id')
          .where('job_tombstones.team', 'in', teams),
      ),
    ]);
  };
}

/** Counts for the overview; each takes the teams the reader may see (null: all). */
export class StatsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Run counts by status since `since`, with timed-out runs counted apart. */
  async runCounts(
    since: number,
    teams: readonly string[] | null,
  ): Promise<{ byStatus: Record<RunStatus, number>; timedOut: number }> {
    const rows = await this.db
      .selectFrom('runs')
      .select([
        'status',
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<number>`sum(timed_out)`.as('timed_out'),
      ])
      .where('scheduled_at', '>=', since)
      .where(runsOfTeams(teams))
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
  async openRuns(limit: number, teams: readonly string[] | null) {
    return this.db
      .selectFrom('runs')
      .select(['id', 'job_id', 'job_name', 'status', 'fired_at', 'scheduled_at', 'progress', 'member'])
      .where(IS_OPEN)
      .where(runsOfTeams(teams))
      .orderBy('scheduled_at', 'desc')
      .limit(limit)
      .execute();
  }

  async countOpen(teams: readonly string[] | null): Promise<number> {
    const row = await this.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(IS_OPEN)
      .where(runsOfTeams(teams))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The latest failures (failed or lost) since `since`. */
  async recentFailures(since: number, limit: number, teams: readonly string[] | null) {
    return this.db
      .selectFrom('runs')
      .select(['id', 'job_id', 'job_name', 'status', 'scheduled_at', 'finished_at', 'message', 'timed_out'])
      .where('scheduled_at', '>=', since)
      .where(runsOfTeams(teams))
      .where('status', 'in', ['failed', 'lost'])
      .orderBy('scheduled_at', 'desc')
      .limit(limit)
      .execute();
  }
}
