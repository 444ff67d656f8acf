import type { Kysely } from 'kysely';
import { isTeamRole, type TeamRole } from '../domain/access.js';
import type { UserSource } from '../domain/user.js';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';

export interface Team {
  name: string;
  description: string;
  createdAt: number;
}

export interface TeamMember {
  userId: string;
  user: string;
  displayName: string | null;
  role: TeamRole;
  source: UserSource;
}

export interface TeamUsage {
  jobs: number;
  groups: number;
}

/** Teams and who holds which role in them. */
export class TeamsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async list(): Promise<(Team & TeamUsage & { members: number })[]> {
    const [teams, jobs, groups, members] = await Promise.all([
      this.db.selectFrom('teams').selectAll().orderBy('name').execute(),
      this.countBy('jobs'),
      this.countBy('worker_groups'),
      this.db
        .selectFrom('team_members')
        .select(['team', (eb) => eb.fn.count<number>('user_id').distinct().as('n')])
        .groupBy('team')
        .execute(),
    ]);
    const memberCount = new Map(members.map((m) => [m.team, Number(m.n)]));
    return teams.map((t) => ({
      name: t.name,
      description: t.description,
      createdAt: Number(t.created_at),
      jobs: jobs.get(t.name) ?? 0,
      groups: groups.get(t.name) ?? 0,
      members: memberCount.get(t.name) ?? 0,
    }));
  }

  private async countBy(table: 'jobs' | 'worker_groups'): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom(table)
      .select(['team', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('team')
      .execute();
    return new Map(rows.map((r) => [r.team ?? '', Number(r.n)]));
  }

  async find(name: string): Promise<Team | null> {
    const row = await this.db.selectFrom('teams').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? { name: row.name, description: row.description, createdAt: Number(row.created_at) } : null;
  }

  async members(team: string): Promise<TeamMember[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['users.id', 'users.name', 'users.display_name', 'team_members.role', 'team_members.source'])
      .where('team_members.team', '=', team)
      .orderBy('users.name')
      .orderBy('team_members.source')
      .execute();
    return rows.flatMap((r) =>
      isTeamRole(r.role)
        ? [
            {
              userId: r.id,
              user: r.name,
              displayName: r.display_name,
              role: r.role,
              source: r.source as UserSource,
            },
          ]
        : [],
    );
  }

  async usage(team: string): Promise<TeamUsage> {
    const [jobs, groups] = await Promise.all(
      (['jobs', 'worker_groups'] as const).map((table) =>
        this.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('team', '=', team)
          .executeTakeFirstOrThrow(),
      ),
    );
    return { jobs: Number(jobs?.n ?? 0), groups: Number(groups?.n ?? 0) };
  }

  /** Creates a team; 'exists' when the name is taken. */
  async insert(team: Team): Promise<Team | 'exists'> {
    try {
      await this.db
        .insertInto('teams')
        .values({ name: team.name, description: team.description, created_at: team.createdAt })
        .execute();
      return team;
    } catch (err) {
      if (this.dialect.isUniqueViolation(err)) return 'exists';
      throw err;
    }
  }

  /** Creates the named teams that do not exist yet. */
  async ensure(names: readonly string[], now: number): Promise<void> {
    if (names.length === 0) return;
    await this.db
      .insertInto('teams')
      .values([...new Set(names)].map((name) => ({ name, description: '', created_at: now })))
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  async setDescription(name: string, description: string): Promise<boolean> {
    const result = await this.db
      .updateTable('teams')
      .set({ description })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Deletes a team no job or group uses, with its memberships, checked in the
   * same transaction; 'in_use' (nothing changed) otherwise.
   */
  async delete(name: string): Promise<'deleted' | 'in_use' | 'not_found'> {
    return this.db.transaction().execute(async (trx) => {
      for (const table of ['jobs', 'worker_groups'] as const) {
        const used = await trx
          .selectFrom(table)
          .select('id')
          .where('team', '=', name)
          .limit(1)
          .executeTakeFirst();
        if (used) return 'in_use';
      }
      await trx.deleteFrom('team_members').where('team', '=', name).execute();
      const result = await trx.deleteFrom('teams').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0 ? 'deleted' : 'not_found';
    });
  }

  /** Gives a user a (local) role in a team, replacing the local role it had. */
  async setMember(team: string, userId: string, role: TeamRole, now: number): Promise<void> {
    await this.db
      .insertInto('team_members')
      .values({ team, user_id: userId, source: 'local', role, created_at: now })
      .onConflict((oc) => oc.columns(['team', 'user_id', 'source']).doUpdateSet({ role }))
      .execute();
  }

  /** Removes a user's local role in a team; false when there was none. */
  async removeMember(team: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('team_members')
      .where('team', '=', team)
      .where('user_id', '=', userId)
      .where('source', '=', 'local')
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
