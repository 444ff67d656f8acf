import { type Kysely, sql } from 'kysely';
import { RUN_STATUSES, type RunStatus, STATUS_SEVERITY } from '../domain/run.js';
import type { Database } from './schema.js';

export interface TrendPoint {
  runId: string;
  at: number;
  durationMs: number | null;
  status: RunStatus;
  timedOut: boolean;
}

/** Above this many runs in the range, the trend is bucketed. */
export const TREND_MAX_POINTS = 2_000;

const NICE_BUCKETS_MS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000,
];

/** The smallest "round" bucket that keeps a range under the point budget. */
export function bucketFor(rangeMs: number): number {
  const least = Math.ceil(rangeMs / TREND_MAX_POINTS);
  return NICE_BUCKETS_MS.find((b) => b >= least) ?? Math.ceil(least / 86_400_000) * 86_400_000;
}

const SEVERITY_ORDER = [...RUN_STATUSES].sort((a, b) => STATUS_SEVERITY[a] - STATUS_SEVERITY[b]);

export class StatsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Trend points of one job in [from, to): one per run, or one per bucket above the budget. */
  async trend(
    jobId: string,
    from: number,
    to: number,
  ): Promise<{ points: TrendPoint[]; bucketMs: number | null }> {
    const count = await this.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('job_id', '=', jobId)
      .where('scheduled_at', '>=', from)
      .where('scheduled_at', '<', to)
      .executeTakeFirstOrThrow();
    if (Number(count.n) <= TREND_MAX_POINTS) {
      const rows = await this.db
        .selectFrom('runs')
        .select(['id', 'scheduled_at', 'duration_ms', 'status', 'timed_out'])
        .where('job_id', '=', jobId)
        .where('scheduled_at', '>=', from)
        .where('scheduled_at', '<', to)
        .orderBy('scheduled_at')
        .orderBy('id')
        .execute();
      return {
        bucketMs: null,
        points: rows.map((r) => ({
          runId: r.id,
          at: Number(r.scheduled_at),
          durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
          status: r.status as RunStatus,
          timedOut: r.timed_out === 1,
        })),
      };
    }
    const bucketMs = bucketFor(to - from);
    const severity = sql<number>`max(case status ${sql.join(
      SEVERITY_ORDER.map((s) => sql`when ${sql.lit(s)} then ${sql.lit(STATUS_SEVERITY[s])}`),
      sql` `,
    )} end)`;
    const bucket = sql<number>`(scheduled_at - ${sql.lit(from)}) / ${sql.lit(bucketMs)}`;
    const rows = await this.db
      .selectFrom('runs')
      .select([
        sql<number>`min(scheduled_at)`.as('at'),
        sql<string>`max(id)`.as('run_id'),
        sql<number | null>`max(duration_ms)`.as('duration_ms'),
        severity.as('severity'),
        sql<number>`max(timed_out)`.as('timed_out'),
      ])
      .where('job_id', '=', jobId)
      .where('scheduled_at', '>=', from)
      .where('scheduled_at', '<', to)
      .groupBy(bucket)
      .orderBy(sql`min(scheduled_at)`)
      .execute();
    return {
      bucketMs,
      points: rows.map((r) => ({
        runId: r.run_id,
        at: from + Math.floor((Number(r.at) - from) / bucketMs) * bucketMs,
        durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
        status: SEVERITY_ORDER[Number(r.severity)] ?? 'succeeded',
        timedOut: Number(r.timed_out) === 1,
      })),
    };
  }

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
      .where('status', 'in', ['pending', 'running'])
      .orderBy('scheduled_at', 'desc')
      .limit(limit)
      .execute();
  }

  async countOpen(): Promise<number> {
    const row = await this.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'running'])
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
