import type { Kysely } from 'kysely';
import type { WorkerGroup } from '../domain/worker-group.js';
import { decodeCursor, encodeCursor } from './json.js';
import type { Database } from './schema.js';

export class GroupsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts the group and its members in one transaction. */
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
          created_at: group.createdAt,
          updated_at: group.updatedAt,
        })
        .execute();
      await insertMembers(trx, group);
    });
  }

  /** Replaces team, description and the member list (the secret and name stay). */
  async replace(group: WorkerGroup): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('worker_groups')
        .set({ team: group.team, description: group.description, updated_at: group.updatedAt })
        .where('id', '=', group.id)
        .execute();
      await trx.deleteFrom('group_members').where('group_id', '=', group.id).execute();
      await insertMembers(trx, group);
    });
  }

  async setSecret(id: string, secret: string, now: number): Promise<void> {
    await this.db
      .updateTable('worker_groups')
      .set({ secret, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('group_members').where('group_id', '=', id).execute();
      await trx.deleteFrom('worker_groups').where('id', '=', id).execute();
    });
  }

  async find(name: string): Promise<WorkerGroup | null> {
    const row = await this.db
      .selectFrom('worker_groups')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) return null;
    const members = await this.db
      .selectFrom('group_members')
      .select(['url', 'name'])
      .where('group_id', '=', row.id)
      .orderBy('position')
      .execute();
    return {
      id: row.id,
      name: row.name,
      team: row.team,
      description: row.description,
      secret: row.secret,
      members,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }

  /** Every group with its members, for the dispatcher's cache. */
  async listAll(): Promise<WorkerGroup[]> {
    return this.page(undefined, 1_000_000).then((p) => p.groups);
  }

  async list(
    limit: number,
    cursor: string | undefined,
  ): Promise<{ groups: WorkerGroup[]; nextCursor: string | null } | 'bad_cursor'> {
    let after: string | undefined;
    if (cursor !== undefined) {
      const parts = decodeCursor(cursor);
      if (parts?.length !== 2 || parts[1] !== 'groups' || typeof parts[0] !== 'string') return 'bad_cursor';
      after = parts[0];
    }
    return this.page(after, limit);
  }

  private async page(
    after: string | undefined,
    limit: number,
  ): Promise<{ groups: WorkerGroup[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('worker_groups').selectAll();
    if (after !== undefined) query = query.where('name', '>', after);
    const rows = await query
      .orderBy('name')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.id);
    const members =
      ids.length === 0
        ? []
        : await this.db
            .selectFrom('group_members')
            .select(['group_id', 'url', 'name'])
            .where('group_id', 'in', ids)
            .orderBy('group_id')
            .orderBy('position')
            .execute();
    const byGroup = new Map<string, { url: string; name: string | null }[]>();
    for (const m of members) {
      const list = byGroup.get(m.group_id) ?? [];
      list.push({ url: m.url, name: m.name });
      byGroup.set(m.group_id, list);
    }
    const groups = page.map((row) => ({
      id: row.id,
      name: row.name,
      team: row.team,
      description: row.description,
      secret: row.secret,
      members: byGroup.get(row.id) ?? [],
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }));
    const last = page[page.length - 1];
    return { groups, nextCursor: rows.length > limit && last ? encodeCursor([last.name, 'groups']) : null };
  }
}

async function insertMembers(trx: Kysely<Database>, group: WorkerGroup): Promise<void> {
  if (group.members.length === 0) return;
  await trx
    .insertInto('group_members')
    .values(
      group.members.map((m, position) => ({
        group_id: group.id,
        url: m.url,
        name: m.name,
        position,
        created_at: group.updatedAt,
      })),
    )
    .execute();
}
