import { type Kysely, type Selectable, sql } from 'kysely';
import type { Job } from '../domain/job.js';
import type { RunStatus } from '../domain/run.js';
import { DEFAULT_TEAM } from '../domain/user.js';
import { isId } from '../ids.js';
import type { Dialect } from './dialect.js';
import { decodeCursor, encodeCursor, fromJson, toJson } from './json.js';
import type { Database, JobsTable } from './schema.js';

/** The part of a job kept in the `spec` JSON column. */
type StoredSpec = Pick<
  Job,
  | 'target'
  | 'params'
  | 'routing'
  | 'delivery'
  | 'timeoutSec'
  | 'deadlineSec'
  | 'heartbeatSec'
  | 'retry'
  | 'misfire'
  | 'alerts'
>;

function toRow(job: Job): JobsTable {
  const spec: StoredSpec = {
    target: job.target,
    params: job.params,
    routing: job.routing,
    delivery: job.delivery,
    timeoutSec: job.timeoutSec,
    deadlineSec: job.deadlineSec,
    heartbeatSec: job.heartbeatSec,
    retry: job.retry,
    misfire: job.misfire,
    alerts: job.alerts,
  };
  return {
    id: job.id,
    name: job.name,
    team: job.team,
    owner: job.owner,
    description: job.description,
    tags: toJson(job.tags),
    tags_index: `,${job.tags.join(',')},`,
    cron: job.schedule.cron,
    timezone: job.schedule.timezone,
    target_group: job.target.group,
    spec: toJson(spec),
    secret: job.secret,
    enabled: job.enabled ? 1 : 0,
    retention_days: job.retention?.days ?? null,
    retention_count: job.retention?.count ?? null,
    planned_from: job.plannedFrom,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

/**
 * Shared copies of the empty and default parts most jobs have, so 100,000
 * jobs in memory do not hold 100,000 copies of `{}` and `[]`. Never mutated:
 * jobs are replaced whole, never edited in place.
 */
const SHARED = {
  params: Object.freeze({}) as Record<string, unknown>,
  headers: Object.freeze({}) as Record<string, string>,
  tags: Object.freeze([]) as unknown as string[],
  alerts: Object.freeze({ recipients: Object.freeze([]), on: Object.freeze([]) }) as unknown as Job['alerts'],
  retry: Object.freeze({ count: 0, backoffSec: 10 }) as Job['retry'],
};
const strings = new Map<string, string>();
/** One copy of each cron expression, zone, group and path string (few distinct values, many jobs). */
function intern(value: string): string;
function intern(value: string | null): string | null;
function intern(value: string | null): string | null {
  if (value === null) return null;
  const known = strings.get(value);
  if (known !== undefined) return known;
  if (strings.size < 100_000) strings.set(value, value);
  return value;
}

function isEmpty(value: object): boolean {
  for (const _ in value) return false;
  return true;
}

export function jobFromRow(row: Selectable<JobsTable>): Job {
  const spec = fromJson<StoredSpec>(row.spec, {} as StoredSpec);
  if (isEmpty(spec.params)) spec.params = SHARED.params;
  if (isEmpty(spec.target.headers)) spec.target.headers = SHARED.headers;
  spec.target.group = intern(spec.target.group);
  spec.target.path = intern(spec.target.path);
  if (spec.alerts.recipients.length === 0 && spec.alerts.on.length === 0 && !spec.alerts.escalation) {
    spec.alerts = SHARED.alerts;
  }
  if (spec.retry.count === 0 && spec.retry.backoffSec === 10) spec.retry = SHARED.retry;
  const tags = fromJson<string[]>(row.tags, []);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    team: row.team,
    owner: row.owner,
    tags: tags.length === 0 ? SHARED.tags : tags,
    schedule: { cron: intern(row.cron), timezone: intern(row.timezone) },
    ...spec,
    retention:
      row.retention_days === null && row.retention_count === null
        ? null
        : { days: row.retention_days, count: row.retention_count },
    enabled: row.enabled === 1,
    secret: row.secret,
    plannedFrom: Number(row.planned_from),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export interface JobFilter {
  q?: string | undefined;
  team?: string | undefined;
  owner?: string | undefined;
  tag?: string | undefined;
  enabled?: boolean | undefined;
  lastStatus?: RunStatus | undefined;
  /** Only jobs of these teams (a non-admin's view); null: every job. */
  teams: readonly string[] | null;
}

export class JobsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {}

  /** Inserts a job; a duplicate name surfaces as the dialect's unique violation. */
  async insert(job: Job): Promise<void> {
    await this.db.insertInto('jobs').values(toRow(job)).execute();
  }

  /** Replaces every field of an existing job; false when it does not exist. */
  async replace(job: Job): Promise<boolean> {
    const { id: _id, created_at: _created, ...rest } = toRow(job);
    const result = await this.db.updateTable('jobs').set(rest).where('id', '=', job.id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deletes the job, leaving a tombstone that keeps its team for the runs that stay. */
  async delete(job: Job, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('jobs').where('id', '=', job.id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await trx
        .insertInto('job_tombstones')
        .values({ job_id: job.id, name: job.name, team: job.team ?? DEFAULT_TEAM, deleted_at: now })
        .onConflict((oc) => oc.column('job_id').doNothing())
        .execute();
      return true;
    });
  }

  /** By id (26-character ULID) or by name. */
  async find(idOrName: string): Promise<Job | null> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where(isId(idOrName) ? 'id' : 'name', '=', idOrName)
      .executeTakeFirst();
    return row ? jobFromRow(row) : null;
  }

  async findById(id: string): Promise<Job | null> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? jobFromRow(row) : null;
  }

  /** Sets `enabled`; `plannedFrom` moves forward on resume so the pause leaves no missed fires. */
  async setEnabled(id: string, enabled: boolean, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set(enabled ? { enabled: 1, planned_from: now, updated_at: now } : { enabled: 0, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Every enabled job, for the scheduler's start; read in pages to keep the peak memory low. */
  async listEnabled(pageSize = 5_000): Promise<Job[]> {
    const jobs: Job[] = [];
    let after = '';
    for (;;) {
      const rows = await this.db
        .selectFrom('jobs')
        .selectAll()
        .where('enabled', '=', 1)
        .where('id', '>', after)
        .orderBy('id')
        .limit(pageSize)
        .execute();
      for (const row of rows) jobs.push(jobFromRow(row));
      const last = rows[rows.length - 1];
      if (!last || rows.length < pageSize) return jobs;
      after = last.id;
    }
  }

  async countUsingGroup(group: string): Promise<number> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('target_group', '=', group)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** A page of jobs ordered by name. `cursor` is the previous page's `nextCursor`. */
  async list(
    filter: JobFilter,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ jobs: Job[]; nextCursor: string | null } | 'bad_cursor'> {
    let query = this.db.selectFrom('jobs').selectAll('jobs');
    if (cursor !== undefined) {
      const parts = decodeCursor(cursor);
      const after = parts?.[0];
      if (parts?.length !== 2 || parts[1] !== 'jobs' || typeof after !== 'string') return 'bad_cursor';
      query = query.where('jobs.name', '>', after);
    }
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // ESCAPE is explicit: SQLite has no default escape character, PostgreSQL's is the backslash.
      query = query.where(({ or }) =>
        or([
          sql<boolean>`lower(jobs.name) like ${like} escape '\\'`,
          sql<boolean>`lower(jobs.description) like ${like} escape '\\'`,
        ]),
      );
    }
    if (filter.team !== undefined) query = query.where('jobs.team', '=', filter.team);
    if (filter.teams !== null) {
      if (filter.teams.length === 0) return { jobs: [], nextCursor: null };
      query = query.where('jobs.team', 'in', filter.teams);
    }
    if (filter.owner !== undefined) query = query.where('jobs.owner', '=', filter.owner);
    if (filter.tag !== undefined) {
      const tag = `%,${filter.tag.replace(/[\\%_]/g, (c) => `\\${c}`)},%`;
      query = query.where(sql<boolean>`jobs.tags_index like ${tag} escape '\\'`);
    }
    if (filter.enabled !== undefined) query = query.where('jobs.enabled', '=', filter.enabled ? 1 : 0);
    if (filter.lastStatus !== undefined) {
      const status = filter.lastStatus;
      query = query.where((eb) =>
        eb(
          eb
            .selectFrom('runs')
            .select('runs.status')
            .whereRef('runs.job_id', '=', 'jobs.id')
            .orderBy('runs.scheduled_at', 'desc')
            .orderBy('runs.id', 'desc')
            .limit(1),
          '=',
          status,
        ),
      );
    }
    const rows = await query
      .orderBy('jobs.name')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map(jobFromRow);
    const last = page[page.length - 1];
    return { jobs: page, nextCursor: rows.length > limit && last ? encodeCursor([last.name, 'jobs']) : null };
  }

  /** Job counts per team, of `teams` only (null: every team). */
  async countsByTeam(
    teams: readonly string[] | null,
  ): Promise<{ team: string; total: number; enabled: number }[]> {
    if (teams !== null && teams.length === 0) return [];
    let query = this.db
      .selectFrom('jobs')
      .select((eb) => [
        'team',
        eb.fn.countAll<number>().as('total'),
        eb.fn.sum<number>('enabled').as('enabled'),
      ])
      .groupBy('team');
    if (teams !== null) query = query.where('team', 'in', teams);
    const rows = await query.orderBy('team').execute();
    return rows.map((r) => ({ team: r.team ?? '', total: Number(r.total), enabled: Number(r.enabled ?? 0) }));
  }

  /** The team of a job, or of a deleted job (from its tombstone); null when unknown. */
  async teamOf(jobId: string): Promise<string | null> {
    const live = await this.db.selectFrom('jobs').select('team').where('id', '=', jobId).executeTakeFirst();
    if (live) return live.team;
    const gone = await this.db
      .selectFrom('job_tombstones')
      .select('team')
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return gone?.team ?? null;
  }
}
