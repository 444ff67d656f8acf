import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { iso } from '../../clock.js';
import type { ApiContext } from '../context.js';
import { visibleTeams } from '../guard.js';

export const overviewRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/overview',
      {
        schema: {
          tags: ['overview'],
          summary: 'Job counts, runs of the last 24 h by outcome, running now, recent failures',
          response: { 200: Type.Unknown() },
        },
      },
      async (request) => {
        const now = ctx.clock.now();
        const since = now - 86_400_000;
        // Every figure counts only what the caller may read.
        const teams = visibleTeams(request);
        const [perTeam, runs, running, runningCount, failures] = await Promise.all([
          ctx.store.jobs.countsByTeam(teams),
          ctx.store.stats.runCounts(since, teams),
          ctx.store.stats.openRuns(50, teams),
          ctx.store.stats.countOpen(teams),
          ctx.store.stats.recentFailures(since, 20, teams),
        ]);
        const total = perTeam.reduce((n, t) => n + t.total, 0);
        const enabled = perTeam.reduce((n, t) => n + t.enabled, 0);
        return {
          jobs: { total, enabled, paused: total - enabled },
          jobsPerTeam: perTeam.map((t) => ({
            team: t.team,
            total: t.total,
            enabled: t.enabled,
            paused: t.total - t.enabled,
          })),
          runs24h: { ...runs.byStatus, timedOut: runs.timedOut },
          runningNow: {
            count: runningCount,
            items: running.map((r) => ({
              runId: r.id,
              jobId: r.job_id,
              job: r.job_name,
              status: r.status,
              scheduledAt: iso(Number(r.scheduled_at)),
              firedAt: r.fired_at === null ? null : iso(Number(r.fired_at)),
              progress: r.progress,
              member: r.member,
            })),
          },
          recentFailures: failures.map((r) => ({
            runId: r.id,
            jobId: r.job_id,
            job: r.job_name,
            status: r.status,
            scheduledAt: iso(Number(r.scheduled_at)),
            finishedAt: r.finished_at === null ? null : iso(Number(r.finished_at)),
            message: r.message,
            timedOut: r.timed_out === 1,
          })),
        };
      },
    );
  };
