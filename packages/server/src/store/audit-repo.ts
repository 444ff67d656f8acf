import type { Kysely, Selectable } from 'kysely';
import { decodeCursor, encodeCursor } from './json.js';
import type { AuditLogTable, Database } from './schema.js';

/** Who acted: a user in the console, a user through an API token, JobCenter itself, or nobody known (failed login). */
export type ActorKind = 'user' | 'token' | 'system' | 'anonymous';

export interface AuditEntry {
  id: string;
  at: number;
  actor: string | null;
  actorKind: ActorKind;
  tokenId: string | null;
  ip: string | null;
  /** What was done, as `<thing>.<verb>`: `job.create`, `auth.login_failed`, `group.secret_reveal`. */
  action: string;
  targetType: string;
  target: string | null;
  team: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  target?: string | undefined;
  team?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Only entries of these teams (a non-admin's view); null: every entry. */
  teams: readonly string[] | null;
}

function entryFromRow(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: Number(row.at),
    actor: row.actor,
    actorKind: row.actor_kind as ActorKind,
    tokenId: row.token_id,
    ip: row.ip,
    action: row.action,
    targetType: row.target_type,
    target: row.target,
    team: row.team,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
  };
}

/** The audit log: append-only, newest first, pruned by age. */
export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        id: entry.id,
        at: entry.at,
        actor: entry.actor,
        actor_kind: entry.actorKind,
        token_id: entry.tokenId,
        ip: entry.ip,
        action: entry.action,
        target_type: entry.targetType,
        target: entry.target,
        team: entry.team,
        details: entry.details === null ? null : JSON.stringify(entry.details),
      })
      .execute();
  }

  async list(
    filter: AuditFilter,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ entries: AuditEntry[]; nextCursor: string | null } | 'bad_cursor'> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (cursor !== undefined) {
      const parts = decodeCursor(cursor);
      if (parts?.length !== 2 || parts[1] !== 'audit' || typeof parts[0] !== 'string') return 'bad_cursor';
      query = query.where('id', '<', parts[0]);
    }
    if (filter.teams !== null) {
      if (filter.teams.length === 0) return { entries: [], nextCursor: null };
      query = query.where('team', 'in', filter.teams);
    }
    if (filter.team !== undefined) query = query.where('team', '=', filter.team);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.action !== undefined) {
      // `job` matches every job action; `job.create` only that one.
      query = filter.action.includes('.')
        ? query.where('action', '=', filter.action)
        : query.where('action', 'like', `${filter.action.replace(/[\\%_]/g, '')}.%`);
    }
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.target !== undefined) query = query.where('target', '=', filter.target);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const entries = rows.slice(0, limit).map(entryFromRow);
    const last = entries[entries.length - 1];
    return { entries, nextCursor: rows.length > limit && last ? encodeCursor([last.id, 'audit']) : null };
  }

  /** Removes up to `batch` entries older than `before`; answers how many. */
  async prune(before: number, batch: number): Promise<number> {
    const ids = await this.db
      .selectFrom('audit_log')
      .select('id')
      .where('at', '<', before)
      .orderBy('at')
      .limit(batch)
      .execute();
    if (ids.length === 0) return 0;
    await this.db
      .deleteFrom('audit_log')
      .where(
        'id',
        'in',
        ids.map((r) => r.id),
      )
      .execute();
    return ids.length;
  }
}
