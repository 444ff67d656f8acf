import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { previewFires } from '../../cron/preview.js';
import { parseSchedule, ScheduleError } from '../../cron/schedule.js';
import { ApiError } from '../../errors.js';
import { ErrorBody } from '../schemas.js';
import { parseTime } from './jobs.js';

export const cronRoutes = (): FastifyPluginAsyncTypebox => async (app) => {
  app.post(
    '/cron/preview',
    {
      schema: {
        tags: ['cron'],
        summary: 'The next fires of a cron expression in a time zone',
        body: Type.Object(
          {
            cron: Type.String({ minLength: 1, maxLength: 256 }),
            timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ fires: Type.Array(Type.Object({ at: Type.String(), local: Type.String() })) }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const { cron, timezone = 'UTC', count = 10, from } = request.body;
      try {
        const schedule = parseSchedule(cron, timezone);
        return { fires: previewFires(schedule, count, parseTime(from, 'from') ?? Date.now()) };
      } catch (err) {
        if (err instanceof ScheduleError) {
          throw new ApiError(
            'validation_error',
            err.message.replace(/^schedule\./, ''),
            err.field.replace(/^schedule\./, ''),
          );
        }
        throw err;
      }
    },
  );
};
