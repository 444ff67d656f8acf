import { type Kysely, sql } from 'kysely';
import type { Member } from '../domain/worker-group.js';
import { IS_OPEN } from './open-runs.js';
import type { Database } from './schema.js';

/** Values per `IN` list: below both dialects' bound-parameter limits. */
const IN_LIST_MAX = 10_000;

/** Dynamic membership (heartbeats) and member load, on both dialects. */
export class MembersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a heartbeat of `member` in the group, in one guarded upsert: an
   * unknown URL joins as a dynamic member; a known one is marked seen. A
   * static member keeps its name and place. A dynamic member silent since
   * before `liveSince` (expired, not yet forgotten) joins anew: its joining
   * time, which orders dynamic members, restarts.
   */
  async recordHeartbeat(
    groupId: string,
    member: Member,
    now: number,
    liveSince: number,
  ): Promise<{ dynamic: boolean }> {
    const row = await this.db
      .insertInto('group_members')
      .values({
        group_id: groupId,
        url: member.url,
        name: member.name,
        position: 0,
        dynamic: 1,
        last_seen_at: now,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['group_id', 'url']).doUpdateSet((eb) => ({
          last_seen_at: now,
          name: eb
            .case()
            .when('group_members.dynamic', '=', 1)
            .then(eb.fn.coalesce('excluded.name', 'group_members.name'))
            .else(eb.ref('group_members.name'))
            .end(),
          created_at: eb
            .case()
            .when(
              eb.and([eb('group_members.dynamic', '=', 1), eb('group_members.last_seen_at', '<', liveSince)]),
            )
            .then(now)
            .else(eb.ref('group_members.created_at'))
            .end(),
        })),
      )
      .returning('dynamic')
      .executeTakeFirstOrThrow();
    return { dynamic: Number(row.dynamic) === 1 };
  }

  /** Deletes dynamic members silent since before `liveSince` (any group). Answers how many. */
  async forgetSilent(liveSince: number): Promise<number> {
    const result = await this.db
      .deleteFrom('group_members')
      .where('dynamic', '=', 1)
      .where('last_seen_at', '<', liveSince)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Runs with status `running` per member URL, for the given URLs, in one
   * grouped query. It walks the open runs through their partial index (the
   * predicate is repeated literally for that): no index on `member`, which
   * would cost every fire one more B-tree write.
   */
  async runningCounts(urls: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const distinct = [...new Set(urls)];
    if (distinct.length === 0) return counts;
    // One statement for any real group; a page of huge groups is split below the parameter limit.
    for (let i = 0; i < distinct.length; i += IN_LIST_MAX) {
      const rows = await this.db
        .selectFrom('runs')
        .select(['member', sql<number>`count(*)`.as('n')])
        .where(IS_OPEN)
        .where('status', '=', 'running')
        .where('member', 'in', distinct.slice(i, i + IN_LIST_MAX))
        .groupBy('member')
        .execute();
      for (const row of rows) if (row.member !== null) counts.set(row.member, Number(row.n));
    }
    return counts;
  }

  /** The target group of each of these jobs that has one, by job id. */
  async groupsOfJobs(jobIds: readonly string[]): Promise<Map<string, string>> {
    const groups = new Map<string, string>();
    const distinct = [...new Set(jobIds)];
    for (let i = 0; i < distinct.length; i += IN_LIST_MAX) {
      const rows = await this.db
        .selectFrom('jobs')
        .select(['id', 'target_group'])
        .where('id', 'in', distinct.slice(i, i + IN_LIST_MAX))
        .execute();
      for (const row of rows) if (row.target_group !== null) groups.set(row.id, row.target_group);
    }
    return groups;
  }
}
