import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { checkName } from '../../auth/accounts.js';
import { ApiError } from '../../errors.js';
import { Role, TeamInput, TeamView } from '../account-schemas.js';
import { teamView } from '../account-views.js';
import type { ApiContext } from '../context.js';
import { requireAdmin, requireTeam, visibleTeams } from '../guard.js';
import { ErrorBody } from '../schemas.js';

const TeamParam = Type.Object({ team: Type.String({ minLength: 1, maxLength: 128 }) });
const MemberParam = Type.Object({
  team: Type.String({ minLength: 1, maxLength: 128 }),
  user: Type.String({ minLength: 1, maxLength: 128 }),
});
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const teamRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const hidden = (team: string) => () => new ApiError('team_not_found', `no team named "${team}"`);

    /** The team with its usage and members, or 404. */
    async function load(name: string) {
      const team = (await ctx.store.teams.list()).find((t) => t.name === name);
      if (!team) throw hidden(name)();
      return team;
    }

    app.get(
      '/teams',
      {
        schema: {
          tags: ['teams'],
          summary: 'Teams you belong to (admins: every team), with job, group and member counts',
          response: { 200: Type.Object({ items: Type.Array(TeamView), nextCursor: Type.Null() }) },
        },
      },
      async (request) => {
        const visible = visibleTeams(request);
        const teams = (await ctx.store.teams.list()).filter(
          (t) => visible === null || visible.includes(t.name),
        );
        return { items: teams.map((t) => teamView(t)), nextCursor: null };
      },
    );

    app.post(
      '/teams',
      {
        schema: {
          tags: ['teams'],
          summary: 'Create a team (admins)',
          body: TeamInput,
          response: { 201: TeamView, ...errors },
        },
      },
      async (request, reply) => {
        const caller = requireAdmin(request, 'creating a team');
        checkName('name', request.body.name);
        const now = ctx.clock.now();
        const created = await ctx.store.teams.insert({
          name: request.body.name,
          description: request.body.description ?? '',
          createdAt: now,
        });
        if (created === 'exists')
          throw new ApiError('duplicate_name', `a team named ${request.body.name} exists`, 'name');
        await ctx.audit.record(caller.actor, 'team.create', {
          type: 'team',
          name: created.name,
          team: created.name,
        });
        return reply.status(201).send(teamView({ ...created, jobs: 0, groups: 0, members: 0 }, []));
      },
    );

    app.get(
      '/teams/:team',
      {
        schema: {
          tags: ['teams'],
          summary: 'A team with its members and their roles',
          params: TeamParam,
          response: { 200: TeamView, 404: ErrorBody },
        },
      },
      async (request) => {
        const { team } = request.params;
        requireTeam(request, team, 'read', 'reading a team', hidden(team));
        return teamView(await load(team), await ctx.store.teams.members(team));
      },
    );

    app.put(
      '/teams/:team',
      {
        schema: {
          tags: ['teams'],
          summary: "Change a team's description (owners)",
          params: TeamParam,
          body: Type.Object(
            { description: Type.String({ maxLength: 4000 }) },
            { additionalProperties: false },
          ),
          response: { 200: TeamView, ...errors },
        },
      },
      async (request) => {
        const { team } = request.params;
        const caller = requireTeam(request, team, 'own', "changing a team's description", hidden(team));
        const before = await load(team);
        await ctx.store.teams.setDescription(team, request.body.description);
        await ctx.audit.record(
          caller.actor,
          'team.update',
          { type: 'team', name: team, team },
          {
            before: { description: before.description },
            after: { description: request.body.description },
          },
        );
        return teamView(await load(team), await ctx.store.teams.members(team));
      },
    );

    app.delete(
      '/teams/:team',
      {
        schema: {
          tags: ['teams'],
          summary: 'Delete a team no job or group belongs to (admins)',
          params: TeamParam,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const caller = requireAdmin(request, 'deleting a team');
        const { team } = request.params;
        const result = await ctx.store.teams.delete(team);
        if (result === 'not_found') throw hidden(team)();
        if (result === 'in_use') {
          const usage = await ctx.store.teams.usage(team);
          throw new ApiError(
            'team_in_use',
            `team ${team} still has ${usage.jobs} job(s) and ${usage.groups} worker group(s): move or delete them first`,
          );
        }
        await ctx.audit.record(caller.actor, 'team.delete', { type: 'team', name: team, team });
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/teams/:team/members/:user',
      {
        schema: {
          tags: ['teams'],
          summary: 'Give a user a role in the team, or change it (owners)',
          params: MemberParam,
          body: Type.Object({ role: Role }, { additionalProperties: false }),
          response: { 200: TeamView, ...errors },
        },
      },
      async (request) => {
        const { team, user: userName } = request.params;
        const caller = requireTeam(request, team, 'own', "managing a team's members", hidden(team));
        await load(team);
        const user = await ctx.accounts.getUser(userName);
        const before = (await ctx.store.teams.members(team)).find(
          (m) => m.userId === user.id && m.source === 'local',
        );
        await ctx.store.teams.setMember(team, user.id, request.body.role, ctx.clock.now());
        await ctx.audit.record(
          caller.actor,
          'team.member_set',
          { type: 'team', name: team, team },
          {
            user: user.name,
            before: before?.role ?? null,
            after: request.body.role,
          },
        );
        return teamView(await load(team), await ctx.store.teams.members(team));
      },
    );

    app.delete(
      '/teams/:team/members/:user',
      {
        schema: {
          tags: ['teams'],
          summary:
            "Remove a user's role in the team (owners); roles from directory groups change in the directory",
          params: MemberParam,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const { team, user: userName } = request.params;
        const caller = requireTeam(request, team, 'own', "managing a team's members", hidden(team));
        const user = await ctx.accounts.getUser(userName);
        const members = (await ctx.store.teams.members(team)).filter((m) => m.userId === user.id);
        const local = members.find((m) => m.source === 'local');
        if (!local) {
          if (members.length > 0) {
            throw new ApiError(
              'directory_managed',
              `${user.name}'s role in ${team} comes from a directory group: change it there`,
            );
          }
          throw new ApiError('user_not_found', `${user.name} has no role in team ${team}`);
        }
        await ctx.store.teams.removeMember(team, user.id);
        await ctx.audit.record(
          caller.actor,
          'team.member_remove',
          { type: 'team', name: team, team },
          {
            user: user.name,
            before: local.role,
          },
        );
        return reply.status(204).send(null);
      },
    );
  };
