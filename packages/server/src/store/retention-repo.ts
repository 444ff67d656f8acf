/**
 * The store side of history retention: which jobs have runs, where a job's
 * count limit cuts its history, and removing outgrown runs in small
 * batches with their child rows and trend rollups. Every read walks the
 * `runs_job_scheduled (job_id, scheduled_at, id)` index, so no pass reads
 * a job's whole history.
 */
import { type Kysely, type SqlBool, sql } from 'kysely';
import type { JobRetention } from '../domain/job.js';
import type { RemovalBound, RunKey } from '../domain/retention.js';
import { IS_OPEN } from './open-runs.js';
import { type Database, RUN_CHILD_TABLES } from './schema.js';

/** A job id found in the runs, with what retention needs to know about it. */
export interface JobHistory {
  jobId: string;
  /** False when the job was deleted (its runs stay until the server's limits remove them). */
  exists: boolean;
  /** The job's own limits; null for deleted jobs and jobs without any. */
  retention: JobRetention | null;
  /** `scheduledAt` of the job's oldest run, open or not (infinity if its last run just went). */
  oldestAt: number;
}

const MINUTE = 60_000;
const IS_FINISHED = sql<SqlBool>`not (${IS_OPEN})`;

export class RetentionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Up to `limit` job ids that have runs, in id order after `after`. A loose
   * index scan (one index seek per job, whatever the history's size) rather
   * than `SELECT DISTINCT job_id`, which would read every run.
   */
  async jobsWithRuns(after: string, limit: number): Promise<JobHistory[]> {
    const { rows } = await sql<{ job_id: string; oldest_at: number | string | null }>`
      WITH RECURSIVE ids (job_id, n) AS (
        SELECT CAST((SELECT job_id FROM runs WHERE job_id > ${after} ORDER BY job_id LIMIT 1) AS varchar(26)), 1
        UNION ALL
        SELECT CAST((SELECT r.job_id FROM runs r WHERE r.job_id > ids.job_id ORDER BY r.job_id LIMIT 1) AS varchar(26)),
          ids.n + 1
        FROM ids
        WHERE ids.job_id IS NOT NULL AND ids.n < ${sql.lit(limit)}
      )
      SELECT ids.job_id,
        (SELECT r.scheduled_at FROM runs r WHERE r.job_id = ids.job_id ORDER BY r.scheduled_at LIMIT 1) AS oldest_at
      FROM ids
      WHERE ids.job_id IS NOT NULL
    `.execute(this.db);
    if (rows.length === 0) return [];
    // Looked up by primary key apart from the scan, so no plan can turn it into a scan of all jobs.
    const jobs = await this.db
      .selectFrom('jobs')
      .select(['id', 'retention_days', 'retention_count'])
      .where(
        'id',
        'in',
        rows.map((r) => r.job_id),
      )
      .execute();
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const out: JobHistory[] = [];
    for (const row of rows) {
      const job = byId.get(row.job_id);
      out.push({
        jobId: row.job_id,
        exists: job !== undefined,
        retention:
          job === undefined || (job.retention_days === null && job.retention_count === null)
            ? null
            : { days: job.retention_days, count: job.retention_count },
        // A job whose runs all went between the two lookups: its oldest is "never outgrown".
        oldestAt: row.oldest_at === null ? Number.POSITIVE_INFINITY : Number(row.oldest_at),
      });
    }
    return out;
  }

  /**
   * The newest run of a job beyond its `count` newest (that run and all
   * older ones are outgrown), or null when the job has at most `count`
   * runs. Walks `count` index entries, never the rest of the history.
   */
  async countCutoff(jobId: string, count: number): Promise<RunKey | null> {
    const row = await this.db
      .selectFrom('runs')
      .select(['scheduled_at', 'id'])
      .where('job_id', '=', jobId)
      .orderBy('scheduled_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .offset(count)
      .executeTakeFirst();
    return row ? { at: Number(row.scheduled_at), id: row.id } : null;
  }

  /**
   * Removes up to `limit` of a job's finished runs at or below `bound`,
   * oldest first and after `after` (the last run removed by the previous
   * batch, so a batch never walks what earlier ones removed), with their
   * rows in every child table, in one transaction. Open runs stay.
   * Answers the keys of the runs removed.
   */
  async removeRuns(
    jobId: string,
    bound: RemovalBound,
    after: RunKey | null,
    limit: number,
  ): Promise<RunKey[]> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('runs')
        .where('id', 'in', (eb) => {
          let outgrown = eb
            .selectFrom('runs')
            .select('id')
            .where('job_id', '=', jobId)
            .where(IS_FINISHED)
            .where('scheduled_at', '<=', bound.at);
          const { id } = bound;
          outgrown = outgrown.where((w) =>
            id === null
              ? w('scheduled_at', '<', bound.at)
              : w.or([w('scheduled_at', '<', bound.at), w('id', '<=', id)]),
          );
          if (after !== null) {
            outgrown = outgrown
              .where('scheduled_at', '>=', after.at)
              .where((w) => w.or([w('scheduled_at', '>', after.at), w('id', '>', after.id)]));
          }
          return outgrown.orderBy('scheduled_at').orderBy('id').limit(limit);
        })
        .returning(['id', 'scheduled_at'])
        .execute();
      if (removed.length === 0) return [];
      const ids = removed.map((r) => r.id);
      for (const table of RUN_CHILD_TABLES) {
        await trx.deleteFrom(table).where('run_id', 'in', ids).execute();
      }
      return removed.map((r) => ({ at: Number(r.scheduled_at), id: r.id }));
    });
  }

  /**
   * Removes a job's trend rollups of the minutes wholly before `before`:
   * their runs are gone. Answers how many minute rows went.
   */
  async removeTrendBefore(jobId: string, before: number): Promise<number> {
    const minute = Math.floor(before / MINUTE) * MINUTE;
    const result = await this.db
      .deleteFrom('trend_minutes')
      .where('job_id', '=', jobId)
      .where('minute', '<', minute)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Once a deleted job has no run left, removes what remains of it: its
   * trend rollups and rollup watermark. False while it still has runs, or
   * when the job exists.
   */
  async forgetDeletedJob(jobId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const left = await trx
        .selectFrom('runs')
        .select('id')
        .where('job_id', '=', jobId)
        .limit(1)
        .executeTakeFirst();
      const job = await trx.selectFrom('jobs').select('id').where('id', '=', jobId).executeTakeFirst();
      if (left !== undefined || job !== undefined) return false;
      await trx.deleteFrom('trend_minutes').where('job_id', '=', jobId).execute();
      await trx.deleteFrom('trend_state').where('job_id', '=', jobId).execute();
      return true;
    });
  }
}
