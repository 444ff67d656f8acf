/** Worker callbacks (PROTOCOL.md §2): progress and results, authenticated by the run token. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';
import { checkRunToken } from '../../ids.js';
import type { ApiContext } from '../context.js';
import { ErrorBody, ProgressInput, RunResultInput } from '../schemas.js';
import { RunParam } from './runs.js';

const Ok = Type.Object({ ok: Type.Boolean(), status: Type.String() });
const ShardParam = Type.Object({
  runId: Type.String({ minLength: 1, maxLength: 64 }),
  index: Type.Integer({ minimum: 0, maximum: 9999 }),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const callbackRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    async function authorise(request: FastifyRequest, runId: string, shard?: number): Promise<void> {
      const run = await ctx.store.runs.find(runId);
      if (!run) throw new ApiError('run_not_found', `no run with id "${runId}"`);
      if (shard !== undefined && shard >= run.shardTotal) {
        throw new ApiError('run_not_found', `run "${runId}" has no shard ${shard}`);
      }
      const header = request.headers.authorization;
      const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
      if (!token || !checkRunToken(ctx.serverKey, runId, token, shard)) {
        throw new ApiError(
          'unauthorized',
          shard === undefined
            ? 'send Authorization: Bearer <the run token from the trigger>'
            : "send Authorization: Bearer <the shard token from this shard's trigger>",
        );
      }
    }

    app.post(
      '/callbacks/:runId/shards/:index/progress',
      {
        schema: {
          tags: ['callbacks'],
          summary: 'Progress of one broadcast shard; counts as a heartbeat',
          params: ShardParam,
          body: ProgressInput,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        const { runId, index } = request.params;
        await authorise(request, runId, index);
        const body = request.body;
        const outcome = await ctx.store.shards.recordProgress(
          runId,
          index,
          {
            progress: body.progress === undefined ? undefined : Math.round(body.progress),
            message: body.message,
            log: body.log,
          },
          ctx.clock.now(),
        );
        if (outcome === 'not_found')
          throw new ApiError('run_not_found', `run "${runId}" has no shard ${index}`);
        if (outcome === 'ended')
          throw new ApiError('run_finished', 'progress after the shard has ended is refused');
        return { ok: true, status: 'running' };
      },
    );

    app.post(
      '/callbacks/:runId/shards/:index/result',
      {
        schema: {
          tags: ['callbacks'],
          summary: 'The final result of one broadcast shard (idempotent)',
          params: ShardParam,
          body: RunResultInput,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        const { runId, index } = request.params;
        await authorise(request, runId, index);
        const { status, message, output } = request.body;
        const decision = await ctx.store.shards.recordResult(
          runId,
          index,
          { status, message: message ?? null, output: output ?? null },
          ctx.clock.now(),
        );
        switch (decision) {
          case 'not_found':
            throw new ApiError('run_not_found', `run "${runId}" has no shard ${index}`);
          case 'conflict':
            throw new ApiError(
              'result_conflict',
              'the shard already has a different result; the first one stands',
            );
          case 'never_sent':
            throw new ApiError('run_finished', 'the shard was never sent: no result is taken');
          case 'late':
            return { ok: true, status: 'late' };
          default:
            return { ok: true, status };
        }
      },
    );

    app.post(
      '/callbacks/:runId/progress',
      {
        schema: {
          tags: ['callbacks'],
          summary: 'Progress, message and log lines; counts as a heartbeat',
          params: RunParam,
          body: ProgressInput,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        const { runId } = request.params;
        await ctx.flushDeliveries();
        await authorise(request, runId);
        const body = request.body;
        const outcome = await ctx.store.reports.recordProgress(
          runId,
          {
            progress: body.progress === undefined ? undefined : Math.round(body.progress),
            message: body.message,
            log: body.log,
          },
          ctx.clock.now(),
        );
        if (outcome === 'not_found') throw new ApiError('run_not_found', `no run with id "${runId}"`);
        if (outcome === 'ended')
          throw new ApiError('run_finished', 'progress after the run has ended is refused');
        return { ok: true, status: 'running' };
      },
    );

    app.post(
      '/callbacks/:runId/result',
      {
        schema: {
          tags: ['callbacks'],
          summary: 'The final result (idempotent)',
          params: RunParam,
          body: RunResultInput,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        const { runId } = request.params;
        await ctx.flushDeliveries();
        await authorise(request, runId);
        const { status, message, output } = request.body;
        const decision = await ctx.store.reports.recordResult(
          runId,
          { status, message: message ?? null, output: output ?? null },
          ctx.clock.now(),
        );
        switch (decision) {
          case 'not_found':
            throw new ApiError('run_not_found', `no run with id "${runId}"`);
          case 'conflict':
            throw new ApiError(
              'result_conflict',
              'the run already has a different result; the first one stands',
            );
          case 'never_sent':
            throw new ApiError(
              'run_finished',
              'the run was never sent (missed or skipped): no result is taken',
            );
          case 'late': {
            const run = await ctx.store.runs.find(runId);
            return { ok: true, status: run?.status ?? 'lost' };
          }
          default:
            return { ok: true, status };
        }
      },
    );
  };
