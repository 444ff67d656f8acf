import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Permission } from '../../domain/access.js';
import type { Run } from '../../domain/run.js';
import { ApiError } from '../../errors.js';
import type { Caller } from '../caller.js';
import type { ApiContext } from '../context.js';
import { callerOf, requireTeam } from '../guard.js';
import { ErrorBody, RunView } from '../schemas.js';
import { runView } from '../views.js';

export const RunParam = Type.Object({ runId: Type.String({ minLength: 1, maxLength: 64 }) });

export const runRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    /**
     * The run, once the caller may do `permission` on its job's team (a
     * deleted job's team comes from its tombstone). A run of a team the
     * caller cannot read answers the same 404 as a run that does not exist.
     */
    async function runFor(
      request: FastifyRequest,
      runId: string,
      permission: Permission,
      what: string,
    ): Promise<{ run: Run; caller: Caller; team: string | null }> {
      const hidden = () => new ApiError('run_not_found', `no run with id "${runId}"`);
      const run = await ctx.store.runs.find(runId);
      if (!run) throw hidden();
      const team = await ctx.store.jobs.teamOf(run.jobId);
      if (team === null) {
        const caller = callerOf(request);
        if (!caller.access.admin) throw hidden();
        return { run, caller, team };
      }
      return { run, caller: requireTeam(request, team, permission, what, hidden), team };
    }

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
        const { run } = await runFor(request, request.params.runId, 'read', 'reading a run');
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
        const found = await runFor(request, request.params.runId, 'operate', 'cancelling a run');
        const run = await ctx.runs.cancel(found.run.id);
        await ctx.audit.record(
          found.caller.actor,
          'run.cancel',
          { type: 'run', name: run.id, team: found.team },
          {
            job: run.job,
          },
        );
        const attempts = await ctx.store.runs.attempts(run.id);
        const shards = run.shardTotal > 0 ? await ctx.store.shards.list(run.id) : [];
        return reply.code(202).send(runView(run, attempts, undefined, shards));
      },
    );
  };
