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
        const [attempts, events] = await Promise.all([
          ctx.store.runs.attempts(run.id),
          ctx.store.runs.events(run.id),
        ]);
        return runView(run, attempts, events);
      },
    );
  };
