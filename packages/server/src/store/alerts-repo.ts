/**
 * Alerting's store: the event queue the run triggers fill, throttle state
 * and failure episodes, the outbox, channels and maintenance windows.
 * Events become outbox rows in one transaction that also deletes them, so a
 * crash loses none and repeats none; outbox rows are claimed with a lease
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so one node sends each.
 */
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { RecipientDirectory } from '../alerts/recipients.js';
import { isTeamRole } from '../domain/access.js';
import type { Job } from '../domain/job.js';
import type { Run } from '../domain/run.js';
import type { Dialect } from './dialect.js';
import { jobFromRow } from './jobs-repo.js';
import { decodeCursor, encodeCursor } from './json.js';
import { runFromRow } from './runs-repo.js';
import type { AlertChannelsTable, AlertMessagesTable, Database, MaintenanceWindowsTable } from './schema.js';

// Any constant: the same on every node, distinct from the migration lock's.
const ALERTING_LOCK_KEY = 7_400_114;

export interface AlertEventRow {
  id: number;
  jobId: string;
  runId: string;
  kind: string;
  at: number;
  /** Whether the job was enabled when the run changed. */
  jobEnabled: boolean;
}

export interface NewAlertMessage {
  id: string;
  kind: string;
  jobId: string | null;
  jobName: string | null;
  team: string | null;
  runId: string | null;
  channel: string;
  recipient: string;
  content: string;
  /** pending (to send) or failed (a recipient that could not be reached, recorded as such). */
  status: 'pending' | 'failed';
  lastError: string | null;
  createdAt: number;
}

export interface AlertMessage {
  id: string;
  kind: string;
  jobId: string | null;
  job: string | null;
  team: string | null;
  runId: string | null;
  channel: string;
  recipient: string;
  content: string;
  status: string;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

export interface ThrottleState {
  jobId: string;
  kind: string;
  windowUntil: number;
  suppressed: number;
  lastRunId: string | null;
}

export interface StoredChannel {
  name: string;
  type: string;
  config: Record<string, unknown>;
  secret: Record<string, unknown>;
  enabled: boolean;
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface MaintenanceWindow {
  id: string;
  team: string;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string | null;
  createdAt: number;
}

function messageFromRow(r: Selectable<AlertMessagesTable>): AlertMessage {
  return {
    id: r.id,
    kind: r.kind,
    jobId: r.job_id,
    job: r.job_name,
    team: r.team,
    runId: r.run_id,
    channel: r.channel,
    recipient: r.recipient,
    content: r.content,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: Number(r.created_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
  };
}

function channelFromRow(r: Selectable<AlertChannelsTable>): StoredChannel {
  return {
    name: r.name,
    type: r.type,
    config: JSON.parse(r.config) as Record<string, unknown>,
    secret: JSON.parse(r.secret) as Record<string, unknown>,
    enabled: r.enabled === 1,
    isDefault: r.is_default === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function windowFromRow(r: Selectable<MaintenanceWindowsTable>): MaintenanceWindow {
  return {
    id: r.id,
    team: r.team,
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  };
}

/** What the alert worker may read and write while it holds a batch of events. */
export class AlertBatch {
  constructor(
    private readonly trx: Transaction<Database>,
    readonly events: readonly AlertEventRow[],
  ) {}

  async jobs(ids: readonly string[]): Promise<Map<string, Job>> {
    if (ids.length === 0) return new Map();
    const rows = await this.trx.selectFrom('jobs').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, jobFromRow(r)]));
  }

  async runs(ids: readonly string[]): Promise<Map<string, Run>> {
    if (ids.length === 0) return new Map();
    const rows = await this.trx.selectFrom('runs').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, runFromRow(r)]));
  }

  async states(jobIds: readonly string[]): Promise<Map<string, ThrottleState>> {
    if (jobIds.length === 0) return new Map();
    const rows = await this.trx.selectFrom('alert_state').selectAll().where('job_id', 'in', jobIds).execute();
    return new Map(
      rows.map((r) => [
        `${r.job_id}\n${r.kind}`,
        {
          jobId: r.job_id,
          kind: r.kind,
          windowUntil: Number(r.window_until),
          suppressed: r.suppressed,
          lastRunId: r.last_run_id,
        },
      ]),
    );
  }

  async episodes(jobIds: readonly string[]): Promise<Map<string, number>> {
    if (jobIds.length === 0) return new Map();
    const rows = await this.trx
      .selectFrom('alert_episodes')
      .selectAll()
      .where('job_id', 'in', jobIds)
      .execute();
    return new Map(rows.map((r) => [r.job_id, r.failures]));
  }

  /** The maintenance windows of `teams` that overlap [from, to]. */
  async maintenance(teams: readonly string[], from: number, to: number): Promise<MaintenanceWindow[]> {
    if (teams.length === 0) return [];
    const rows = await this.trx
      .selectFrom('maintenance_windows')
      .selectAll()
      .where('team', 'in', teams)
      .where('starts_at', '<=', to)
      .where('ends_at', '>', from)
      .execute();
    return rows.map(windowFromRow);
  }

  directory(users: Iterable<string>, teams: Iterable<string>): Promise<RecipientDirectory> {
    return loadDirectory(this.trx, [...users], [...teams]);
  }

  async putState(state: ThrottleState): Promise<void> {
    const values = {
      window_until: state.windowUntil,
      suppressed: state.suppressed,
      last_run_id: state.lastRunId,
    };
    await this.trx
      .insertInto('alert_state')
      .values({ job_id: state.jobId, kind: state.kind, ...values })
      .onConflict((oc) => oc.columns(['job_id', 'kind']).doUpdateSet(values))
      .execute();
  }

  /** Opens or updates the job's failure episode; null closes it. */
  async putEpisode(jobId: string, failures: number | null, now: number): Promise<void> {
    if (failures === null) {
      await this.trx.deleteFrom('alert_episodes').where('job_id', '=', jobId).execute();
      return;
    }
    await this.trx
      .insertInto('alert_episodes')
      .values({ job_id: jobId, failures, opened_at: now })
      .onConflict((oc) => oc.column('job_id').doUpdateSet({ failures }))
      .execute();
  }

  async addMessages(messages: readonly NewAlertMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.trx
      .insertInto('alert_messages')
      .values(
        messages.map((m) => ({
          id: m.id,
          kind: m.kind,
          job_id: m.jobId,
          job_name: m.jobName,
          team: m.team,
          run_id: m.runId,
          channel: m.channel,
          recipient: m.recipient,
          content: m.content,
          status: m.status,
          attempts: 0,
          next_attempt_at: m.status === 'pending' ? m.createdAt : null,
          last_error: m.lastError,
          created_at: m.createdAt,
          sent_at: null,
        })),
      )
      .execute();
  }
}

async function loadDirectory(
  db: Kysely<Database>,
  userNames: string[],
  teamNames: string[],
): Promise<RecipientDirectory> {
  const members =
    teamNames.length === 0
      ? []
      : await db
          .selectFrom('team_members')
          .innerJoin('users', 'users.id', 'team_members.user_id')
          .select(['team_members.team', 'team_members.role', 'users.name'])
          .where('team_members.team', 'in', teamNames)
          .execute();
  const teams = new Map<string, string[]>();
  for (const m of members) {
    if (!isTeamRole(m.role)) continue;
    const list = teams.get(m.team) ?? [];
    if (!list.includes(m.name)) list.push(m.name);
    teams.set(m.team, list);
  }
  const names = [...new Set([...userNames, ...members.map((m) => m.name)])];
  const users =
    names.length === 0
      ? []
      : await db
          .selectFrom('users')
          .select(['name', 'email', 'phone', 'disabled'])
          .where('name', 'in', names)
          .execute();
  const channels = await db
    .selectFrom('alert_channels')
    .selectAll()
    .where('enabled', '=', 1)
    .orderBy('name')
    .execute();
  const defaultOf = (type: string) =>
    channels.find((c) => c.type === type && c.is_default === 1)?.name ??
    channels.find((c) => c.type === type)?.name ??
    null;
  return {
    users: new Map(
      users.map((u) => [u.name, { email: u.email, phone: u.phone, disabled: u.disabled === 1 }]),
    ),
    teams,
    channels: new Map(channels.map((c) => [c.name, { type: c.type }])),
    defaultEmail: defaultOf('email'),
    defaultSms: defaultOf('sms'),
  };
}

export interface MessageFilter {
  jobId?: string | undefined;
  kind?: string | undefined;
  status?: string | undefined;
  channel?: string | undefined;
  team?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Only messages of these teams (a non-admin's view); null: all. */
  teams: readonly string[] | null;
}

export class AlertsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Takes up to `limit` events, oldest first, and runs `work` on them in one
   * transaction that then deletes them: the messages `work` writes and the
   * events' removal commit together. On PostgreSQL events another node holds
   * are skipped. Answers how many events were handled.
   */
  async withEvents(limit: number, work: (batch: AlertBatch) => Promise<void>): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await this.lockAlerting(trx))) return 0;
      const rows = await trx
        .selectFrom('alert_events')
        .selectAll()
        .orderBy('id')
        .limit(limit)
        .$call((q) => (this.dialect.supportsSkipLocked ? q.forUpdate().skipLocked() : q))
        .execute();
      if (rows.length === 0) return 0;
      const events = rows.map((r) => ({
        id: Number(r.id),
        jobId: r.job_id,
        runId: r.run_id,
        kind: r.kind,
        at: Number(r.at),
        jobEnabled: r.job_enabled === 1,
      }));
      await work(new AlertBatch(trx, events));
      await trx
        .deleteFrom('alert_events')
        .where(
          'id',
          'in',
          events.map((e) => e.id),
        )
        .execute();
      return events.length;
    });
  }

  /**
   * Throttle windows that have closed with alerts held back: `work` writes
   * their digests; their counts are reset in the same transaction.
   */
  async withClosedWindows(
    now: number,
    limit: number,
    work: (batch: AlertBatch, closed: readonly ThrottleState[]) => Promise<void>,
  ): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await this.lockAlerting(trx))) return 0;
      const rows = await trx
        .selectFrom('alert_state')
        .selectAll()
        .where('window_until', '<=', now)
        .where('suppressed', '>', 0)
        .limit(limit)
        .$call((q) => (this.dialect.supportsSkipLocked ? q.forUpdate().skipLocked() : q))
        .execute();
      if (rows.length === 0) return 0;
      const closed = rows.map((r) => ({
        jobId: r.job_id,
        kind: r.kind,
        windowUntil: Number(r.window_until),
        suppressed: r.suppressed,
        lastRunId: r.last_run_id,
      }));
      await work(new AlertBatch(trx, []), closed);
      for (const s of closed) {
        await trx
          .updateTable('alert_state')
          .set({ suppressed: 0 })
          .where('job_id', '=', s.jobId)
          .where('kind', '=', s.kind)
          .execute();
      }
      return closed.length;
    });
  }

  /**
   * One node at a time turns events into messages: throttle windows and
   * episodes are read and written as a whole, which two nodes at once would
   * race on. Other nodes skip this pass (the lock ends with the transaction).
   */
  private async lockAlerting(trx: Transaction<Database>): Promise<boolean> {
    if (!this.dialect.hasAdvisoryLocks) return true;
    const result = await sql<{
      locked: boolean;
    }>`SELECT pg_try_advisory_xact_lock(${ALERTING_LOCK_KEY}) AS locked`.execute(trx);
    return result.rows[0]?.locked === true;
  }

  /**
   * Claims up to `limit` messages due at `now` for `leaseMs`: they are not
   * due again until then, so a node that dies mid-send leaves them to be
   * sent again after the lease (at least once, never lost).
   */
  async claimDue(
    now: number,
    limit: number,
    leaseMs: number,
    /** Channels to leave out (at their limit of sends in flight). */
    skipChannels: readonly string[] = [],
  ): Promise<AlertMessage[]> {
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('alert_messages')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .$call((q) => (skipChannels.length > 0 ? q.where('channel', 'not in', skipChannels) : q))
        .orderBy('next_attempt_at')
        .limit(limit)
        .$call((q) => (this.dialect.supportsSkipLocked ? q.forUpdate().skipLocked() : q))
        .execute();
      if (due.length === 0) return [];
      const ids = due.map((r) => r.id);
      await trx
        .updateTable('alert_messages')
        .set({ next_attempt_at: now + leaseMs })
        .where('id', 'in', ids)
        .execute();
      const rows = await trx.selectFrom('alert_messages').selectAll().where('id', 'in', ids).execute();
      return rows.map(messageFromRow);
    });
  }

  /** Gives claimed messages back: due at `now` again. */
  async release(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('alert_messages')
      .set({ next_attempt_at: now })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .execute();
  }

  async markSent(id: string, attempts: number, now: number): Promise<void> {
    await this.db
      .updateTable('alert_messages')
      .set({ status: 'sent', attempts, sent_at: now, next_attempt_at: null, last_error: null })
      .where('id', '=', id)
      .execute();
  }

  /** A failed attempt: due again at `nextAt`, or given up (`failed`) when null. */
  async markAttemptFailed(id: string, attempts: number, error: string, nextAt: number | null): Promise<void> {
    await this.db
      .updateTable('alert_messages')
      .set({
        attempts,
        last_error: error.slice(0, 2000),
        next_attempt_at: nextAt,
        status: nextAt === null ? 'failed' : 'pending',
      })
      .where('id', '=', id)
      .execute();
  }

  async findMessage(id: string): Promise<AlertMessage | null> {
    const row = await this.db
      .selectFrom('alert_messages')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? messageFromRow(row) : null;
  }

  async listMessages(
    filter: MessageFilter,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ messages: AlertMessage[]; nextCursor: string | null } | 'bad_cursor'> {
    let query = this.db.selectFrom('alert_messages').selectAll();
    if (cursor !== undefined) {
      const parts = decodeCursor(cursor);
      if (parts?.length !== 2 || parts[1] !== 'alerts' || typeof parts[0] !== 'string') return 'bad_cursor';
      query = query.where('id', '<', parts[0]);
    }
    if (filter.teams !== null) {
      if (filter.teams.length === 0) return { messages: [], nextCursor: null };
      query = query.where('team', 'in', filter.teams);
    }
    if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
    if (filter.team !== undefined) query = query.where('team', '=', filter.team);
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const messages = rows.slice(0, limit).map(messageFromRow);
    const last = messages[messages.length - 1];
    return { messages, nextCursor: rows.length > limit && last ? encodeCursor([last.id, 'alerts']) : null };
  }

  /** Removes up to `batch` sent or failed messages created before `before`; answers how many. */
  async pruneMessages(before: number, batch: number): Promise<number> {
    const ids = await this.db
      .selectFrom('alert_messages')
      .select('id')
      .where('status', '<>', 'pending')
      .where('created_at', '<', before)
      .limit(batch)
      .execute();
    if (ids.length === 0) return 0;
    await this.db
      .deleteFrom('alert_messages')
      .where(
        'id',
        'in',
        ids.map((r) => r.id),
      )
      .execute();
    return ids.length;
  }

  async pendingEvents(): Promise<number> {
    const row = await this.db
      .selectFrom('alert_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // Channels

  async listChannels(): Promise<StoredChannel[]> {
    return (await this.db.selectFrom('alert_channels').selectAll().orderBy('name').execute()).map(
      channelFromRow,
    );
  }

  async findChannel(name: string): Promise<StoredChannel | null> {
    const row = await this.db
      .selectFrom('alert_channels')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? channelFromRow(row) : null;
  }

  /** Inserts or replaces a channel; answers 'exists' when `create` and the name is taken. */
  async saveChannel(channel: StoredChannel, create: boolean): Promise<'saved' | 'exists'> {
    const values = {
      type: channel.type,
      config: JSON.stringify(channel.config),
      secret: JSON.stringify(channel.secret),
      enabled: channel.enabled ? 1 : 0,
      is_default: channel.isDefault ? 1 : 0,
      updated_at: channel.updatedAt,
    };
    return this.db.transaction().execute(async (trx) => {
      if (create) {
        const taken = await trx
          .selectFrom('alert_channels')
          .select('name')
          .where('name', '=', channel.name)
          .executeTakeFirst();
        if (taken) return 'exists';
        await trx
          .insertInto('alert_channels')
          .values({ name: channel.name, created_at: channel.createdAt, ...values })
          .execute();
      } else {
        await trx.updateTable('alert_channels').set(values).where('name', '=', channel.name).execute();
      }
      // One default per type.
      if (channel.isDefault) {
        await trx
          .updateTable('alert_channels')
          .set({ is_default: 0 })
          .where('type', '=', channel.type)
          .where('name', '<>', channel.name)
          .execute();
      }
      return 'saved';
    });
  }

  async deleteChannel(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('alert_channels').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // Maintenance windows

  async listWindows(teams: readonly string[] | null, now: number): Promise<MaintenanceWindow[]> {
    let query = this.db.selectFrom('maintenance_windows').selectAll().where('ends_at', '>', now);
    if (teams !== null) {
      if (teams.length === 0) return [];
      query = query.where('team', 'in', teams);
    }
    const rows = await query.orderBy('starts_at').execute();
    return rows.map(windowFromRow);
  }

  async insertWindow(w: MaintenanceWindow): Promise<void> {
    await this.db
      .insertInto('maintenance_windows')
      .values({
        id: w.id,
        team: w.team,
        starts_at: w.startsAt,
        ends_at: w.endsAt,
        reason: w.reason,
        created_by: w.createdBy,
        created_at: w.createdAt,
      })
      .execute();
  }

  async findWindow(id: string): Promise<MaintenanceWindow | null> {
    const r = await this.db
      .selectFrom('maintenance_windows')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? windowFromRow(r) : null;
  }

  async deleteWindow(id: string): Promise<void> {
    await this.db.deleteFrom('maintenance_windows').where('id', '=', id).execute();
  }
}
