import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { WorkerGroup } from '../../domain/worker-group.js';
import type { ApiContext } from '../context.js';
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
        const page = await ctx.groups.list(request.query.limit ?? 50, request.query.cursor);
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
      async (request, reply) =>
        reply.status(201).send(await view(await ctx.groups.create(request.body), true)),
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
      async (request) => view(await ctx.groups.get(request.params.name)),
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
      async (request) => view(await ctx.groups.replace(request.params.name, request.body)),
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
        await ctx.groups.delete(request.params.name);
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
      async (request) => view(await ctx.groups.get(request.params.name), true),
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
      async (request) => view(await ctx.groups.rotateSecret(request.params.name), true),
    );
  };
