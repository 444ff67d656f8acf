import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../../errors.js';
import { AuditView } from '../account-schemas.js';
import { auditView } from '../account-views.js';
import type { ApiContext } from '../context.js';
import { visibleTeams } from '../guard.js';
import { ErrorBody, ListQuery, listOf } from '../schemas.js';
import { parseTime } from './jobs.js';

const TimeQuery = Type.String({ format: 'date-time' });

export const auditRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/audit',
      {
        schema: {
          tags: ['audit'],
          summary: "The audit log, newest first: admins see everything, others their teams' entries",
          querystring: Type.Object({
            actor: Type.Optional(Type.String({ maxLength: 128 })),
            action: Type.Optional(
              Type.String({ maxLength: 64, description: '`job` for every job action, or one: `job.pause`' }),
            ),
            targetType: Type.Optional(Type.String({ maxLength: 32 })),
            target: Type.Optional(Type.String({ maxLength: 256 })),
            team: Type.Optional(Type.String({ maxLength: 128 })),
            from: Type.Optional(TimeQuery),
            to: Type.Optional(TimeQuery),
            ...ListQuery,
          }),
          response: { 200: listOf(AuditView), 400: ErrorBody },
        },
      },
      async (request) => {
        const { actor, action, targetType, target, team, from, to, limit = 50, cursor } = request.query;
        const page = await ctx.store.audit.list(
          {
            actor,
            action,
            targetType,
            target,
            team,
            from: parseTime(from, 'from'),
            to: parseTime(to, 'to'),
            teams: visibleTeams(request),
          },
          limit,
          cursor,
        );
        if (page === 'bad_cursor')
          throw new ApiError('invalid_cursor', 'cursor: not a cursor of this list', 'cursor');
        return { items: page.entries.map(auditView), nextCursor: page.nextCursor };
      },
    );
  };
