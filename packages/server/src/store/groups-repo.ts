import type { Expression, Kysely, Selectable, SqlBool } from 'kysely';
import type { GroupMember, WorkerGroup } from '../domain/worker-group.js';
import { decodeCursor, encodeCursor } from './json.js';
import type { Database, WorkerGroupsTable } from './schema.js';

/**
 * Which members a read includes: static ones always; dynamic ones whose
 * latest heartbeat is at or after `dynamicSeenSince` (epoch ms). Without it,
 * no dynamic member (enough to check that a group exists).
 */
export type MemberFilter = {
  dynamicSeenSince?: number;
  /** Only groups of these teams (a non-admin's view); absent or null: every group. */
  teams?: readonly string[] | null;
};

export class GroupsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts the group and its (static) members in one transaction. */
  async insert(group: WorkerGroup): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('worker_groups')
        .values({
          id: group.id,
          name: group.name,
          team: group.team,
          description: group.description,
          secret: group.secret,
          probe_path: group.probe?.path ?? null,
          probe_interval_ms: group.probe?.intervalMs ?? null,
          created_at: group.createdAt,
          updated_at: group.updatedAt,
        })
        .execute();
      await upsertStaticMembers(trx, group);
    });
  }

  /**
   * Replaces name, team, description, probe and the static member list; the
   * secret stays, and so do dynamic members and every member's last heartbeat.
   * A rename happens only while no job targets `previousName`, checked in the
   * same statement: answers 'in_use' (and changes nothing) otherwise.
   */
  async replace(group: WorkerGroup, previousName: string): Promise<'replaced' | 'in_use' | 'not_found'> {
    return this.db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('worker_groups')
        .set({
          name: group.name,
          team: group.team,
          description: group.description,
          probe_path: group.probe?.path ?? null,
          probe_interval_ms: group.probe?.intervalMs ?? null,
          updated_at: group.updatedAt,
        })
        .where('id', '=', group.id);
      if (group.name !== previousName) {
        update = update.where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('jobs').select('id').where('target_group', '=', previousName))),
        );
      }
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return (await exists(trx, group.id)) ? 'in_use' : 'not_found';
      const urls = group.members.filter((m) => !m.dynamic).map((m) => m.url);
      let dropped = trx.deleteFrom('group_members').where('group_id', '=', group.id).where('dynamic', '=', 0);
      if (urls.length > 0) dropped = dropped.where('url', 'not in', urls);
      await dropped.execute();
      await upsertStaticMembers(trx, group);
      return 'replaced';
    });
  }

  async setSecret(id: string, secret: string, now: number): Promise<void> {
    await this.db
      .updateTable('worker_groups')
      .set({ secret, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the group and its members, unless a job targets `name` (checked in the same statement). */
  async delete(id: string, name: string): Promise<'deleted' | 'in_use'> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom('worker_groups')
        .where('id', '=', id)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('jobs').select('id').where('target_group', '=', name))),
        )
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return (await exists(trx, id)) ? 'in_use' : 'deleted';
      await trx.deleteFrom('group_members').where('group_id', '=', id).execute();
      return 'deleted';
    });
  }

  /** Id and signing secret of a group, for checking a heartbeat's signature. */
  async signingKey(name: string): Promise<{ id: string; secret: string } | null> {
    const row = await this.db
      .selectFrom('worker_groups')
      .select(['id', 'secret'])
      .where('name', '=', name)
      .executeTakeFirst();
    return row ?? null;
  }

  async find(name: string, filter: MemberFilter = {}): Promise<WorkerGroup | null> {
    const row = await this.db
      .selectFrom('worker_groups')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) return null;
    const members = await this.membersOf([row.id], filter);
    return toGroup(row, members.get(row.id) ?? []);
  }

  /** Every group with its members, for the dispatcher's cache. */
  async listAll(filter: MemberFilter = {}): Promise<WorkerGroup[]> {
    return this.page(undefined, 1_000_000, filter).then((p) => p.groups);
  }

  async list(
    limit: number,
    cursor: string | undefined,
    filter: MemberFilter = {},
  ): Promise<{ groups: WorkerGroup[]; nextCursor: string | null } | 'bad_cursor'> {
    let after: string | undefined;
    if (cursor !== undefined) {
      const parts = decodeCursor(cursor);
      if (parts?.length !== 2 || parts[1] !== 'groups' || typeof parts[0] !== 'string') return 'bad_cursor';
      after = parts[0];
    }
    return this.page(after, limit, filter);
  }

  private async page(
    after: string | undefined,
    limit: number,
    filter: MemberFilter,
  ): Promise<{ groups: WorkerGroup[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('worker_groups').selectAll();
    if (after !== undefined) query = query.where('name', '>', after);
    if (filter.teams != null) {
      if (filter.teams.length === 0) return { groups: [], nextCursor: null };
      query = query.where('team', 'in', filter.teams);
    }
    const rows = await query
      .orderBy('name')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const members = await this.membersOf(
      page.map((r) => r.id),
      filter,
    );
    const groups = page.map((row) => toGroup(row, members.get(row.id) ?? []));
    const last = page[page.length - 1];
    return { groups, nextCursor: rows.length > limit && last ? encodeCursor([last.name, 'groups']) : null };
  }

  /** Members of the groups by group id: static ones in the group's order, then dynamic ones by joining time. */
  private async membersOf(ids: string[], filter: MemberFilter): Promise<Map<string, GroupMember[]>> {
    const byGroup = new Map<string, GroupMember[]>();
    if (ids.length === 0) return byGroup;
    const since = filter.dynamicSeenSince;
    const rows = await this.db
      .selectFrom('group_members')
      .select(['group_id', 'url', 'name', 'dynamic', 'last_seen_at'])
      .where('group_id', 'in', ids)
      .where((eb) => {
        const isStatic: Expression<SqlBool> = eb('dynamic', '=', 0);
        return since === undefined ? isStatic : eb.or([isStatic, eb('last_seen_at', '>=', since)]);
      })
      .orderBy('group_id')
      .orderBy('dynamic')
      .orderBy('position')
      .orderBy('created_at')
      .orderBy('url')
      .execute();
    for (const m of rows) {
      let list = byGroup.get(m.group_id);
      if (!list) {
        list = [];
        byGroup.set(m.group_id, list);
      }
      list.push({
        url: m.url,
        name: m.name,
        dynamic: Number(m.dynamic) === 1,
        lastSeenAt: m.last_seen_at === null ? null : Number(m.last_seen_at),
      });
    }
    return byGroup;
  }
}

async function exists(trx: Kysely<Database>, id: string): Promise<boolean> {
  const row = await trx.selectFrom('worker_groups').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

function toGroup(row: Selectable<WorkerGroupsTable>, members: GroupMember[]): WorkerGroup {
  return {
    id: row.id,
    name: row.name,
    team: row.team,
    description: row.description,
    secret: row.secret,
    members,
    probe:
      row.probe_path === null || row.probe_interval_ms === null
        ? null
        : { path: row.probe_path, intervalMs: Number(row.probe_interval_ms) },
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * Writes the group's static members with their positions. A URL that was a
 * dynamic member becomes static; a member's last heartbeat is kept.
 */
async function upsertStaticMembers(trx: Kysely<Database>, group: WorkerGroup): Promise<void> {
  const statics = group.members.filter((m) => !m.dynamic);
  if (statics.length === 0) return;
  await trx
    .insertInto('group_members')
    .values(
      statics.map((m, position) => ({
        group_id: group.id,
        url: m.url,
        name: m.name,
        position,
        dynamic: 0,
        last_seen_at: null,
        created_at: group.updatedAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['group_id', 'url']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        position: eb.ref('excluded.position'),
        dynamic: 0,
      })),
    )
    .execute();
}
