/**
 * A job's trend (run durations and outcomes over time). Up to 2,000 runs in
 * range, one point per run. Beyond, one point per bucket with the worst
 * status and the longest duration. Buckets of whole minutes are served from
 * per-minute rollups of closed minutes (a minute is closed once none of its
 * runs is pending or running; an ended run's outcome never changes), so a
 * week of an every-second job reads ~10,000 rollup rows instead of 604,800
 * runs. Rollups are made on first read and extended incrementally; writing
 * runs into a past minute (misfire recovery) moves the job's watermark back.
 */
import { type Kysely, sql } from 'kysely';
import { RUN_STATUSES, type RunStatus, STATUS_SEVERITY } from '../domain/run.js';
import { chunk } from './json.js';
import { IS_OPEN } from './open-runs.js';
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
const MINUTE = 60_000;

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
const severitySql = sql<number>`max(case status ${sql.join(
  SEVERITY_ORDER.map((s) => sql`when ${sql.lit(s)} then ${sql.lit(STATUS_SEVERITY[s])}`),
  sql` `,
)} end)`;

interface Cell {
  at: number;
  runId: string;
  durationMs: number | null;
  severity: number;
  timedOut: number;
  /** Runs in the cell, where counted. */
  runs?: number;
}

function merge(into: Map<number, Cell>, at: number, cell: Omit<Cell, 'at' | 'runs'>): void {
  const old = into.get(at);
  if (!old) {
    into.set(at, {
      at,
      runId: cell.runId,
      durationMs: cell.durationMs,
      severity: cell.severity,
      timedOut: cell.timedOut,
    });
    return;
  }
  old.severity = Math.max(old.severity, cell.severity);
  old.timedOut = Math.max(old.timedOut, cell.timedOut);
  if (cell.durationMs !== null && (old.durationMs === null || cell.durationMs > old.durationMs))
    old.durationMs = cell.durationMs;
  if (cell.runId > old.runId) old.runId = cell.runId;
}

export class TrendRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async trend(
    jobId: string,
    from: number,
    to: number,
    now: number,
  ): Promise<{ points: TrendPoint[]; bucketMs: number | null }> {
    // Count only up to the budget: counting a week of an every-second job would cost more than the answer.
    const probe = await this.db
      .selectFrom((eb) =>
        eb
          .selectFrom('runs')
          .select('id')
          .where('job_id', '=', jobId)
          .where('scheduled_at', '>=', from)
          .where('scheduled_at', '<', to)
          .limit(TREND_MAX_POINTS + 1)
          .as('r'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(probe.n) <= TREND_MAX_POINTS)
      return { bucketMs: null, points: await this.perRun(jobId, from, to) };

    const bucketMs = bucketFor(to - from);
    const cells = new Map<number, Cell>();
    const bucketOf = (ms: number) => Math.floor(ms / bucketMs) * bucketMs;
    if (bucketMs % MINUTE !== 0) {
      for (const row of await this.aggregate(jobId, from, to, bucketMs)) merge(cells, row.at, row);
    } else {
      const start = Math.floor(from / MINUTE) * MINUTE;
      const closedUntil = Math.max(start, Math.min(to, await this.closedUntil(jobId, now)));
      await this.rollUp(jobId, closedUntil);
      const minutes = await this.db
        .selectFrom('trend_minutes')
        .selectAll()
        .where('job_id', '=', jobId)
        .where('minute', '>=', start)
        .where('minute', '<', closedUntil)
        .execute();
      for (const m of minutes) {
        merge(cells, bucketOf(Number(m.minute)), {
          runId: m.last_run_id,
          durationMs: m.max_duration_ms === null ? null : Number(m.max_duration_ms),
          severity: Number(m.severity),
          timedOut: Number(m.timed_out),
        });
      }
      // The open tail (recent minutes, or minutes with runs still going) is read from the runs.
      for (const row of await this.aggregate(jobId, closedUntil, to, MINUTE))
        merge(cells, bucketOf(row.at), row);
    }
    const points = [...cells.values()]
      .sort((a, b) => a.at - b.at)
      .map((c) => ({
        runId: c.runId,
        at: c.at,
        durationMs: c.durationMs,
        status: SEVERITY_ORDER[c.severity] ?? 'succeeded',
        timedOut: c.timedOut === 1,
      }));
    return { bucketMs, points };
  }

  /** A past write landed in these minutes: their rollups must be made again. */
  async invalidate(earliestByJob: ReadonlyMap<string, number>): Promise<void> {
    for (const [jobId, at] of earliestByJob) {
      const minute = Math.floor(at / MINUTE) * MINUTE;
      await this.db
        .updateTable('trend_state')
        .set({ rolled_until: minute })
        .where('job_id', '=', jobId)
        .where('rolled_until', '>', minute)
        .execute();
    }
  }

  private async perRun(jobId: string, from: number, to: number): Promise<TrendPoint[]> {
    const rows = await this.db
      .selectFrom('runs')
      .select(['id', 'scheduled_at', 'duration_ms', 'status', 'timed_out'])
      .where('job_id', '=', jobId)
      .where('scheduled_at', '>=', from)
      .where('scheduled_at', '<', to)
      .orderBy('scheduled_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      runId: r.id,
      at: Number(r.scheduled_at),
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      status: r.status as RunStatus,
      timedOut: r.timed_out === 1,
    }));
  }

  /** Runs in [from, to) grouped by epoch-aligned buckets. */
  private async aggregate(jobId: string, from: number, to: number, bucketMs: number): Promise<Cell[]> {
    if (from >= to) return [];
    const rows = await this.db
      .selectFrom('runs')
      .select([
        sql<number>`(scheduled_at / ${sql.lit(bucketMs)}) * ${sql.lit(bucketMs)}`.as('at'),
        sql<string>`max(id)`.as('run_id'),
        sql<number | null>`max(duration_ms)`.as('duration_ms'),
        severitySql.as('severity'),
        sql<number>`max(timed_out)`.as('timed_out'),
        sql<number>`count(*)`.as('runs'),
      ])
      .where('job_id', '=', jobId)
      .where('scheduled_at', '>=', from)
      .where('scheduled_at', '<', to)
      .groupBy(sql`(scheduled_at / ${sql.lit(bucketMs)}) * ${sql.lit(bucketMs)}`)
      .execute();
    return rows.map((r) => ({
      at: Number(r.at),
      runId: r.run_id,
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      severity: Number(r.severity),
      timedOut: Number(r.timed_out),
      runs: Number(r.runs),
    }));
  }

  /** The start of the first minute that still has a pending or running run (or of the current minute). */
  private async closedUntil(jobId: string, now: number): Promise<number> {
    const open = await this.db
      .selectFrom('runs')
      .select((eb) => eb.fn.min<number>('scheduled_at').as('at'))
      .where('job_id', '=', jobId)
      .where(IS_OPEN)
      .executeTakeFirst();
    const firstOpen = open?.at === null || open?.at === undefined ? now : Math.min(now, Number(open.at));
    return Math.floor(firstOpen / MINUTE) * MINUTE;
  }

  /** Makes the rollups of every closed minute before `until` that is not rolled up yet. */
  private async rollUp(jobId: string, until: number): Promise<void> {
    const state = await this.db
      .selectFrom('trend_state')
      .select('rolled_until')
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    const start = state ? Number(state.rolled_until) : 0;
    if (start >= until) return;
    const cells = await this.aggregate(jobId, start, until, MINUTE);
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunk(cells, 7, 30_000)) {
        await trx
          .insertInto('trend_minutes')
          .values(
            part.map((c) => ({
              job_id: jobId,
              minute: c.at,
              runs: c.runs ?? 0,
              severity: c.severity,
              max_duration_ms: c.durationMs,
              timed_out: c.timedOut,
              last_run_id: c.runId,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['job_id', 'minute']).doUpdateSet((eb) => ({
              runs: eb.ref('excluded.runs'),
              severity: eb.ref('excluded.severity'),
              max_duration_ms: eb.ref('excluded.max_duration_ms'),
              timed_out: eb.ref('excluded.timed_out'),
              last_run_id: eb.ref('excluded.last_run_id'),
            })),
          )
          .execute();
      }
      await trx
        .insertInto('trend_state')
        .values({ job_id: jobId, rolled_until: until })
        .onConflict((oc) => oc.column('job_id').doUpdateSet({ rolled_until: until }))
        .execute();
    });
  }
}
