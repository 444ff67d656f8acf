import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { allows, type Permission } from '../../domain/access.js';
import type { Job } from '../../domain/job.js';
import { RUN_STATUSES } from '../../domain/run.js';
import { DEFAULT_TEAM } from '../../domain/user.js';
import { ApiError, invalid } from '../../errors.js';
import type { Caller } from '../caller.js';
import type { ApiContext } from '../context.js';
import { callerOf, requireTeam, requireTeamForWrite, teamOf, visibleTeams } from '../guard.js';
import { ErrorBody, JobInput, JobView, ListQuery, listOf, RunView, StringEnum } from '../schemas.js';
import { jobView, runView } from '../views.js';

const JobParam = Type.Object({
  job: Type.String({ minLength: 1, maxLength: 128, description: 'Job id or name' }),
});
const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const TimeQuery = Type.String({ format: 'date-time', description: 'ISO-8601 instant' });

export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(field, `not an ISO-8601 time: ${JSON.stringify(value)}`);
  return ms;
}

const TestTriggerView = Type.Object({
  runId: Type.String({ description: 'The id the trigger carried; no such run is stored' }),
  member: Type.String(),
  url: Type.String(),
  sentAt: Type.String({ format: 'date-time' }),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]),
  latencyMs: Type.Number(),
  outcome: StringEnum(['accepted', 'finished', 'failed'] as const),
  result: Type.Union([
    Type.Object({
      status: Type.String(),
      message: Type.Union([Type.String(), Type.Null()]),
      output: Type.Unknown(),
    }),
    Type.Null(),
  ]),
  error: Type.Union([Type.String(), Type.Null()]),
  body: Type.Union([Type.String(), Type.Null()]),
});

/**
 * A job as this caller may see it: target header values (they may hold a
 * legacy endpoint's credentials) only for those who may edit the job.
 */
function forReader(request: FastifyRequest, view: JobView): JobView {
  const team = view.team ?? DEFAULT_TEAM;
  if (allows(callerOf(request).access, team, 'edit') || Object.keys(view.target.headers).length === 0)
    return view;
  const headers = Object.fromEntries(Object.keys(view.target.headers).map((name) => [name, HIDDEN]));
  return { ...view, target: { ...view.target, headers } };
}

/** What a header value reads as for callers who may not edit the job. */
export const HIDDEN = '[hidden]';

const jobNotFound = (idOrName: string) => () =>
  new ApiError('job_not_found', `no job with id or name "${idOrName}"`);

export const jobRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** The job, once the caller may do `permission` on its team. */
    async function jobFor(
      request: FastifyRequest,
      idOrName: string,
      permission: Permission,
      what: string,
    ): Promise<{ job: Job; caller: Caller }> {
      const job = await ctx.jobs.get(idOrName);
      const caller = requireTeam(request, teamOf(job), permission, what, jobNotFound(idOrName));
      return { job, caller };
    }

    /**
     * A job may target a group only when its editor may edit that group's
     * team too: otherwise an editor of one team could fire another team's
     * workers. A group the caller cannot see reads as missing.
     */
    async function checkTargetGroup(
      request: FastifyRequest,
      group: string | null | undefined,
    ): Promise<void> {
      if (!group) return;
      const found = await ctx.store.groups.find(group);
      if (!found) return; // the job manager answers the missing group
      const access = callerOf(request).access;
      const team = teamOf(found);
      if (allows(access, team, 'edit')) return;
      if (!allows(access, team, 'read')) {
        throw invalid('target.group', `no worker group named "${group}" (create it first)`);
      }
      throw new ApiError(
        'forbidden',
        `target.group: using worker group ${group} needs the editor role in its team ${team}`,
        'target.group',
      );
    }

    app.get(
      '/jobs',
      {
        schema: {
          tags: ['jobs'],
          summary: 'List jobs with their next fire and last run',
          querystring: Type.Object({
            q: Type.Optional(Type.String({ maxLength: 200 })),
            team: Type.Optional(Type.String()),
            owner: Type.Optional(Type.String()),
            tag: Type.Optional(Type.String()),
            status: Type.Optional(StringEnum(['enabled', 'paused'] as const)),
            lastStatus: Type.Optional(StringEnum(RUN_STATUSES)),
            ...ListQuery,
          }),
          response: { 200: listOf(JobView), 400: ErrorBody },
        },
      },
      async (request) => {
        const { q, team, owner, tag, status, lastStatus, limit = 50, cursor } = request.query;
        const page = await ctx.store.jobs.list(
          {
            q,
            team,
            owner,
            tag,
            lastStatus,
            enabled: status === undefined ? undefined : status === 'enabled',
            teams: visibleTeams(request),
          },
          limit,
          cursor,
        );
        if (page === 'bad_cursor')
          throw new ApiError('invalid_cursor', 'cursor: not a cursor of this list', 'cursor');
        const last = await ctx.store.runs.latestRuns(page.jobs.map((j) => j.id));
        return {
          items: page.jobs.map((job) =>
            forReader(request, jobView(job, ctx.nextFireAt(job), last.get(job.id))),
          ),
          nextCursor: page.nextCursor,
        };
      },
    );

    app.post(
      '/jobs',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Create a job',
          body: JobInput,
          response: { 201: JobView, ...errors },
        },
      },
      async (request, reply) => {
        const team = request.body.team ?? DEFAULT_TEAM;
        const caller = await requireTeamForWrite(
          request,
          ctx.store.teams,
          ctx.clock.now(),
          team,
          'creating a job',
        );
        await checkTargetGroup(request, request.body.target.group);
        const job = await ctx.jobs.create(request.body);
        await ctx.audit.record(
          caller.actor,
          'job.create',
          { type: 'job', name: job.name, team },
          {
            after: jobView(job, null, null),
          },
        );
        const view = jobView(job, ctx.nextFireAt(job), null);
        return reply.status(201).send(job.secret ? { ...view, secret: job.secret } : view);
      },
    );

    app.get(
      '/jobs/:job',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Read a job',
          params: JobParam,
          response: { 200: JobView, 404: ErrorBody },
        },
      },
      async (request) => {
        const { job } = await jobFor(request, request.params.job, 'read', 'reading a job');
        const last = await ctx.store.runs.latestRuns([job.id]);
        return forReader(request, jobView(job, ctx.nextFireAt(job), last.get(job.id)));
      },
    );

    app.put(
      '/jobs/:job',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Replace a job',
          params: JobParam,
          body: JobInput,
          response: { 200: JobView, ...errors },
        },
      },
      async (request) => {
        const { job: before, caller } = await jobFor(request, request.params.job, 'edit', 'editing a job');
        const team = request.body.team ?? DEFAULT_TEAM;
        if (team !== teamOf(before)) {
          await requireTeamForWrite(
            request,
            ctx.store.teams,
            ctx.clock.now(),
            team,
            'moving a job to another team',
          );
        }
        // Also when the group stays: a new path or params would still fire that team's workers.
        await checkTargetGroup(request, request.body.target.group);
        const { job, newSecret } = await ctx.jobs.replace(before.id, request.body);
        await ctx.audit.record(
          caller.actor,
          'job.update',
          { type: 'job', name: job.name, team },
          {
            before: jobView(before, null, null),
            after: jobView(job, null, null),
          },
        );
        const last = await ctx.store.runs.latestRuns([job.id]);
        const view = jobView(job, ctx.nextFireAt(job), last.get(job.id));
        // A job that just moved to an absolute target.url shows its new secret this once.
        return newSecret ? { ...view, secret: newSecret } : view;
      },
    );

    app.delete(
      '/jobs/:job',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Delete a job (its runs stay readable)',
          params: JobParam,
          response: { 204: Type.Null(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const { job, caller } = await jobFor(request, request.params.job, 'edit', 'deleting a job');
        await ctx.jobs.delete(job.id);
        await ctx.audit.record(
          caller.actor,
          'job.delete',
          { type: 'job', name: job.name, team: teamOf(job) },
          {
            before: jobView(job, null, null),
          },
        );
        return reply.status(204).send(null);
      },
    );

    for (const [action, enabled] of [
      ['pause', false],
      ['resume', true],
    ] as const) {
      app.post(
        `/jobs/:job/${action}`,
        {
          schema: {
            tags: ['jobs'],
            summary: enabled ? 'Resume firing (idempotent)' : 'Stop firing; history stays (idempotent)',
            params: JobParam,
            response: { 200: JobView, 404: ErrorBody },
          },
        },
        async (request) => {
          const found = await jobFor(
            request,
            request.params.job,
            'operate',
            `${action === 'pause' ? 'pausing' : 'resuming'} a job`,
          );
          const job = await ctx.jobs.setEnabled(found.job.id, enabled);
          if (found.job.enabled !== enabled) {
            await ctx.audit.record(found.caller.actor, `job.${action}`, {
              type: 'job',
              name: job.name,
              team: teamOf(job),
            });
          }
          const last = await ctx.store.runs.latestRuns([job.id]);
          return forReader(request, jobView(job, ctx.nextFireAt(job), last.get(job.id)));
        },
      );
    }

    app.post(
      '/jobs/:job/trigger',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Run now, with params merged over the job params',
          params: JobParam,
          body: Type.Optional(
            Type.Object(
              { params: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
              { additionalProperties: false },
            ),
          ),
          response: { 202: RunView, ...errors },
        },
        // A bare `POST …/trigger` (no body at all) means "run now with the job's params".
        preValidation: async (request) => {
          if (request.body === undefined || request.body === null) request.body = {};
        },
      },
      async (request, reply) => {
        const { job, caller } = await jobFor(request, request.params.job, 'operate', 'running a job now');
        const run = await ctx.jobs.trigger(job.id, request.body?.params);
        await ctx.audit.record(
          caller.actor,
          'job.trigger',
          { type: 'job', name: job.name, team: teamOf(job) },
          {
            runId: run.id,
            params: request.body?.params ?? null,
          },
        );
        return reply.status(202).send(runView(run, []));
      },
    );

    app.post(
      '/jobs/:job/test-trigger',
      {
        schema: {
          tags: ['jobs'],
          summary:
            'Send one signed test trigger ("trigger": "test", header X-JobCenter-Test: 1) to one member; not recorded as a run',
          params: JobParam,
          body: Type.Optional(
            Type.Object(
              {
                member: Type.Optional(
                  Type.String({
                    maxLength: 2048,
                    description: "A member's URL; default the group's first member",
                  }),
                ),
                params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
              },
              { additionalProperties: false },
            ),
          ),
          response: { 200: TestTriggerView, ...errors },
        },
        preValidation: async (request) => {
          if (request.body === undefined || request.body === null) request.body = {};
        },
      },
      async (request) => {
        const { job, caller } = await jobFor(request, request.params.job, 'operate', 'test-triggering a job');
        let member = job.target.url ?? '';
        let secret = job.secret ?? '';
        if (job.target.group !== null) {
          const group = await ctx.groups.get(job.target.group);
          const wanted = request.body?.member;
          const chosen =
            wanted === undefined ? group.members[0] : group.members.find((m) => m.url === wanted);
          if (!chosen) {
            throw invalid(
              'member',
              wanted === undefined
                ? `worker group ${group.name} has no member to send to`
                : `not a member of worker group ${group.name}: ${wanted}`,
            );
          }
          member = chosen.url;
          secret = (await ctx.groups.signingKey(group.name)).secret;
        }
        const result = await ctx.testTrigger(job, member, secret, request.body?.params ?? {});
        await ctx.audit.record(
          caller.actor,
          'job.test_trigger',
          { type: 'job', name: job.name, team: teamOf(job) },
          {
            member: result.member,
            httpStatus: result.httpStatus,
            outcome: result.outcome,
          },
        );
        return {
          ...result,
          sentAt: new Date(result.sentAt).toISOString(),
        };
      },
    );

    const SecretView = Type.Object({ job: Type.String(), secret: Type.String() });
    app.post(
      '/jobs/:job/secret/reveal',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Show the signing secret of a job with an absolute target.url',
          params: JobParam,
          response: { 200: SecretView, ...errors },
        },
      },
      async (request) => {
        const { job, caller } = await jobFor(request, request.params.job, 'own', "revealing a job's secret");
        if (job.secret === null)
          throw invalid(
            'target',
            "this job uses its worker group's secret (see /worker-groups/{name}/secret/reveal)",
          );
        await ctx.audit.record(caller.actor, 'job.secret_reveal', {
          type: 'job',
          name: job.name,
          team: teamOf(job),
        });
        return { job: job.name, secret: job.secret };
      },
    );
    app.post(
      '/jobs/:job/secret/rotate',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Replace the signing secret of a job with an absolute target.url',
          params: JobParam,
          response: { 200: SecretView, ...errors },
        },
      },
      async (request) => {
        const found = await jobFor(request, request.params.job, 'own', "rotating a job's secret");
        const job = await ctx.jobs.rotateSecret(found.job.id);
        await ctx.audit.record(found.caller.actor, 'job.secret_rotate', {
          type: 'job',
          name: job.name,
          team: teamOf(job),
        });
        return { job: job.name, secret: job.secret as string };
      },
    );

    app.get(
      '/jobs/:job/runs',
      {
        schema: {
          tags: ['runs'],
          summary: "A job's history, newest first by scheduledAt",
          params: JobParam,
          querystring: Type.Object({
            from: Type.Optional(TimeQuery),
            to: Type.Optional(TimeQuery),
            status: Type.Optional(
              Type.Array(StringEnum(RUN_STATUSES), { description: 'One or more, repeated or comma-free' }),
            ),
            ...ListQuery,
          }),
          response: { 200: listOf(RunView), 400: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { job: idOrName } = request.params;
        const job = await ctx.store.jobs.find(idOrName);
        // The history of a deleted job stays readable by its id.
        const jobId = job?.id ?? (await ctx.store.runs.anyRunOf(idOrName));
        if (!jobId) throw jobNotFound(idOrName)();
        // A deleted job's runs belong to the team it had (its tombstone); unknown: admins only.
        const team = job ? teamOf(job) : await ctx.store.jobs.teamOf(jobId);
        if (team === null) {
          if (!callerOf(request).access.admin) throw jobNotFound(idOrName)();
        } else {
          requireTeam(request, team, 'read', "reading a job's runs", jobNotFound(idOrName));
        }
        const { from, to, status, limit = 50, cursor } = request.query;
        const page = await ctx.store.runs.history(
          jobId,
          { from: parseTime(from, 'from'), to: parseTime(to, 'to'), status },
          limit,
          cursor,
        );
        if (page === 'bad_cursor')
          throw new ApiError('invalid_cursor', 'cursor: not a cursor of this list', 'cursor');
        const attempts = await ctx.store.runs.attemptsOf(page.runs.map((r) => r.id));
        return {
          items: page.runs.map((r) => runView(r, attempts.get(r.id) ?? [])),
          nextCursor: page.nextCursor,
        };
      },
    );

    app.get(
      '/jobs/:job/trend',
      {
        schema: {
          tags: ['runs'],
          summary: 'Run durations and outcomes over time (default: the last 7 days)',
          params: JobParam,
          querystring: Type.Object({ from: Type.Optional(TimeQuery), to: Type.Optional(TimeQuery) }),
          response: {
            200: Type.Object({
              points: Type.Array(
                Type.Object({
                  runId: Type.String(),
                  at: Type.String(),
                  durationMs: Type.Union([Type.Number(), Type.Null()]),
                  status: Type.String(),
                  timedOut: Type.Boolean(),
                }),
              ),
              bucketMs: Type.Union([Type.Integer(), Type.Null()]),
            }),
            400: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request) => {
        const { job } = await jobFor(request, request.params.job, 'read', "reading a job's trend");
        const to = parseTime(request.query.to, 'to') ?? ctx.clock.now();
        const from = parseTime(request.query.from, 'from') ?? to - 7 * 86_400_000;
        if (from >= to) throw invalid('from', 'must be before to');
        const trend = await ctx.store.trend.trend(job.id, from, to, ctx.clock.now());
        return {
          bucketMs: trend.bucketMs,
          points: trend.points.map((p) => ({ ...p, at: new Date(p.at).toISOString() })),
        };
      },
    );
  };
