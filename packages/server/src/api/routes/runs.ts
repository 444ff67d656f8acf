import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { ErrorBody, RunView } from '../schemas.js';
import { runView } from '../views.js';

export const RunParam = Type.Object({ runId: Type.String({ minLength: 1, maxLength: 64 }) });

export const runRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/runs/:runId',
      {
        schema: {
          tags: ['runs'],
          summary: 'One run with its attempts, progress events and log',
          params: RunParam,
          response: { 200: RunView, 404: ErrorBody },
        },
      },
      async (request) => {
        const run = await ctx.store.runs.find(request.params.runId);
        if (!run) throw new ApiError('run_not_found', `no run with id "${request.params.runId}"`);
        const [attempts, events, shards, retries] = await Promise.all([
          ctx.store.runs.attempts(run.id),
          ctx.store.runs.events(run.id),
          run.shardTotal > 0 ? ctx.store.shards.list(run.id) : [],
          ctx.store.runs.retriesOf(run.id),
        ]);
        return runView(run, attempts, events, shards, retries);
      },
    );

    app.post(
      '/runs/:runId/cancel',
      {
        schema: {
          tags: ['runs'],
          summary: 'Cancel an open run: marked cancelled, its member(s) asked to stop',
          params: RunParam,
          response: { 202: RunView, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const run = await ctx.runs.cancel(request.params.runId);
        const attempts = await ctx.store.runs.attempts(run.id);
        const shards = run.shardTotal > 0 ? await ctx.store.shards.list(run.id) : [];
        return reply.code(202).send(runView(run, attempts, undefined, shards));
      },
    );
  };
