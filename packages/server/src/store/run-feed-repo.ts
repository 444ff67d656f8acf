import { type Kysely, sql } from 'kysely';
import { IS_OPEN } from './open-runs.js';
import type { Database } from './schema.js';

/** A run as the live feed shows it. */
export interface FeedRun {
  id: string;
  jobId: string;
  job: string;
  team: string | null;
  trigger: string;
  status: string;
  notifyStatus: string;
  progress: number | null;
  message: string | null;
  scheduledAt: number;
  firedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  timedOut: boolean;
}

/**
 * Reads for the live run feed, each served by an index: open runs (the
 * open-runs partial index), recent runs (by scheduled time) and runs by id
 * (those that were open at the previous look and have ended since).
 */
export class RunFeedRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private select() {
    return this.db
      .selectFrom('runs')
      .leftJoin('jobs', 'jobs.id', 'runs.job_id')
      .select([
        'runs.id',
        'runs.job_id',
        'runs.job_name',
        'jobs.team',
        'runs.trigger',
        'runs.status',
        'runs.notify_status',
        'runs.progress',
        'runs.message',
        'runs.scheduled_at',
        'runs.fired_at',
        'runs.finished_at',
        'runs.duration_ms',
        'runs.timed_out',
      ]);
  }

  private static toFeed(rows: Awaited<ReturnType<ReturnType<RunFeedRepo['select']>['execute']>>): FeedRun[] {
    return rows.map((r) => ({
      id: r.id,
      jobId: r.job_id,
      job: r.job_name,
      team: r.team,
      trigger: r.trigger,
      status: r.status,
      notifyStatus: r.notify_status,
      progress: r.progress,
      message: r.message,
      scheduledAt: Number(r.scheduled_at),
      firedAt: r.fired_at === null ? null : Number(r.fired_at),
      finishedAt: r.finished_at === null ? null : Number(r.finished_at),
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      timedOut: r.timed_out === 1,
    }));
  }

  /** Open runs, the ones nearest their deadline first. */
  async open(limit: number): Promise<FeedRun[]> {
    const rows = await this.select()
      .where(sql<boolean>`runs.${IS_OPEN}`)
      .orderBy('runs.deadline_at')
      .limit(limit)
      .execute();
    return RunFeedRepo.toFeed(rows);
  }

  /** Runs scheduled at or after `since`, newest first. */
  async recent(since: number, limit: number): Promise<FeedRun[]> {
    const rows = await this.select()
      .where('runs.scheduled_at', '>=', since)
      .orderBy('runs.scheduled_at', 'desc')
      .limit(limit)
      .execute();
    return RunFeedRepo.toFeed(rows);
  }

  async byIds(ids: readonly string[]): Promise<FeedRun[]> {
    if (ids.length === 0) return [];
    return RunFeedRepo.toFeed(await this.select().where('runs.id', 'in', ids).execute());
  }
}
