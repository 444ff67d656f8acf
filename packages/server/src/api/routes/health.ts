import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../context.js';

export const healthRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/v1/healthz',
      {
        schema: {
          tags: ['health'],
          summary: 'Liveness',
          security: [],
          response: {
            200: Type.Object({ ok: Type.Boolean(), version: Type.String(), database: Type.String() }),
          },
        },
      },
      async () => ({ ok: true, version: ctx.version, database: ctx.store.dialect.name }),
    );
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    });
  };
