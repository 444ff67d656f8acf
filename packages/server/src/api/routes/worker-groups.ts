import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Permission } from '../../domain/access.js';
import { DEFAULT_TEAM } from '../../domain/user.js';
import type { WorkerGroup } from '../../domain/worker-group.js';
import { ApiError } from '../../errors.js';
import type { Caller } from '../caller.js';
import type { ApiContext } from '../context.js';
import { requireTeam, requireTeamForWrite, teamOf, visibleTeams } from '../guard.js';
import { ErrorBody, GroupInput, GroupView, ListQuery, listOf } from '../schemas.js';
import { groupView } from '../views.js';

const GroupParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) });
const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const groupRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** A group as the API shows it: members with their health and running runs. */
    async function view(group: WorkerGroup, withSecret = false): Promise<GroupView> {
      return groupView(group, await ctx.groups.memberStatuses([group]), withSecret);
    }

    /** The group, once the caller may do `permission` on its team; unseen groups read as missing. */
    async function groupFor(
      request: FastifyRequest,
      name: string,
      permission: Permission,
      what: string,
    ): Promise<{ group: WorkerGroup; caller: Caller }> {
      const group = await ctx.groups.get(name);
      const hidden = () => new ApiError('group_not_found', `no worker group named "${name}"`);
      return { group, caller: requireTeam(request, teamOf(group), permission, what, hidden) };
    }

    /** A group as the audit log keeps it: no secret. */
    const snapshot = (group: WorkerGroup) => ({
      name: group.name,
      team: group.team,
      description: group.description,
      members: group.members.filter((m) => !m.dynamic).map((m) => ({ url: m.url, name: m.name })),
      probe: group.probe,
    });

    app.get(
      '/worker-groups',
      {
        schema: {
          tags: ['worker-groups'],
          summary: 'List worker groups',
          querystring: Type.Object({ ...ListQuery }),
          response: { 200: listOf(GroupView), 400: ErrorBody },
        },
      },
      async (request) => {
        const page = await ctx.groups.list(
          request.query.limit ?? 50,
          request.query.cursor,
          visibleTeams(request),
        );
        const statusOf = await ctx.groups.memberStatuses(page.groups);
        return { items: page.groups.map((g) => groupView(g, statusOf)), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/worker-groups',
      {
        schema: {
          tags: ['worker-groups'],
          summary: 'Create a worker group; the answer shows its signing secret (only here)',
          body: GroupInput,
          response: { 201: GroupView, ...errors },
        },
      },
      async (request, reply) => {
        const team = request.body.team ?? DEFAULT_TEAM;
        const caller = await requireTeamForWrite(
          request,
          ctx.store.teams,
          ctx.clock.now(),
          team,
          'creating a worker group',
        );
        const group = await ctx.groups.create(request.body);
        await ctx.audit.record(
          caller.actor,
          'group.create',
          { type: 'group', name: group.name, team },
          {
            after: snapshot(group),
          },
        );
        return reply.status(201).send(await view(group, true));
      },
    );

    app.get(
      '/worker-groups/:name',
      {
        schema: {
          tags: ['worker-groups'],
          summary: 'Read a worker group',
          params: GroupParam,
          response: { 200: GroupView, 404: ErrorBody },
        },
      },
      async (request) =>
        view((await groupFor(request, request.params.name, 'read', 'reading a worker group')).group),
    );

    app.put(
      '/worker-groups/:name',
      {
        schema: {
          tags: ['worker-groups'],
          summary:
            'Replace team, description, probe and the listed members; rename while no job targets the group',
          params: GroupParam,
          body: GroupInput,
          response: { 200: GroupView, ...errors },
        },
      },
      async (request) => {
        const { group: before, caller } = await groupFor(
          request,
          request.params.name,
          'edit',
          'editing a worker group',
        );
        const team = request.body.team ?? DEFAULT_TEAM;
        if (team !== teamOf(before))
          await requireTeamForWrite(
            request,
            ctx.store.teams,
            ctx.clock.now(),
            team,
            'moving a worker group to another team',
          );
        const group = await ctx.groups.replace(before.name, request.body);
        await ctx.audit.record(
          caller.actor,
          'group.update',
          { type: 'group', name: group.name, team },
          {
            before: snapshot(before),
            after: snapshot(group),
          },
        );
        return view(group);
      },
    );

    app.delete(
      '/worker-groups/:name',
      {
        schema: {
          tags: ['worker-groups'],
          summary: 'Delete a worker group no job uses',
          params: GroupParam,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const { group, caller } = await groupFor(
          request,
          request.params.name,
          'edit',
          'deleting a worker group',
        );
        await ctx.groups.delete(group.name);
        await ctx.audit.record(
          caller.actor,
          'group.delete',
          { type: 'group', name: group.name, team: teamOf(group) },
          {
            before: snapshot(group),
          },
        );
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/worker-groups/:name/secret/reveal',
      {
        schema: {
          tags: ['worker-groups'],
          summary: 'Show the signing secret',
          params: GroupParam,
          response: { 200: GroupView, 404: ErrorBody },
        },
      },
      async (request) => {
        const { group, caller } = await groupFor(
          request,
          request.params.name,
          'own',
          "revealing a group's secret",
        );
        await ctx.audit.record(caller.actor, 'group.secret_reveal', {
          type: 'group',
          name: group.name,
          team: teamOf(group),
        });
        return view(group, true);
      },
    );

    app.post(
      '/worker-groups/:name/secret/rotate',
      {
        schema: {
          tags: ['worker-groups'],
          summary: 'Replace the signing secret; triggers are signed with the new one at once',
          params: GroupParam,
          response: { 200: GroupView, 404: ErrorBody },
        },
      },
      async (request) => {
        const found = await groupFor(request, request.params.name, 'own', "rotating a group's secret");
        const group = await ctx.groups.rotateSecret(found.group.name);
        await ctx.audit.record(found.caller.actor, 'group.secret_rotate', {
          type: 'group',
          name: group.name,
          team: teamOf(group),
        });
        return view(group, true);
      },
    );
  };
