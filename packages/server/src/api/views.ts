/** Domain objects as the API shows them (PROTOCOL.md §3–§5): ISO times, no secrets. */
import { iso } from '../clock.js';
import type { Job } from '../domain/job.js';
import type { Attempt, Run } from '../domain/run.js';
import type { WorkerGroup } from '../domain/worker-group.js';
import type { Shard } from '../store/shards-repo.js';
import type { GroupView, JobView, RunView } from './schemas.js';

export function runSummary(run: Run): NonNullable<JobView['lastRun']> {
  return {
    id: run.id,
    scheduledAt: iso(run.scheduledAt),
    firedAt: iso(run.firedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.durationMs,
    status: run.status,
    notifyStatus: run.notifyStatus,
    timedOut: run.timedOut,
    trigger: run.trigger,
  };
}

export function jobView(job: Job, nextFireAt: number | null, lastRun: Run | null | undefined): JobView {
  return {
    id: job.id,
    name: job.name,
    description: job.description,
    team: job.team,
    owner: job.owner,
    tags: job.tags,
    schedule: job.schedule,
    target: job.target,
    params: job.params,
    routing: job.routing,
    delivery: job.delivery,
    timeoutSec: job.timeoutSec,
    deadlineSec: job.deadlineSec,
    heartbeatSec: job.heartbeatSec,
    retry: job.retry,
    misfire: job.misfire,
    alerts: job.alerts,
    retention: job.retention,
    enabled: job.enabled,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    nextFireAt: job.enabled ? iso(nextFireAt) : null,
    lastRun: lastRun ? runSummary(lastRun) : null,
  };
}

export function attemptView(a: Attempt) {
  return {
    n: a.n,
    member: a.member,
    sentAt: iso(a.sentAt),
    httpStatus: a.httpStatus,
    error: a.error,
    latencyMs: a.latencyMs,
    ...(a.shard !== undefined && a.shard !== null ? { shard: a.shard } : {}),
  };
}

export function shardView(s: Shard) {
  return {
    index: s.index,
    member: s.member,
    notifyStatus: s.notifyStatus,
    status: s.status,
    firedAt: iso(s.firedAt),
    finishedAt: iso(s.finishedAt),
    durationMs: s.durationMs,
    progress: s.progress,
    message: s.message,
    output: s.output,
    lateResult: s.lateResult,
  };
}

export function runView(
  run: Run,
  attempts: Attempt[],
  events?: { at: number; progress: number | null; message: string | null; log: string[] }[],
  shards: Shard[] = [],
  retries?: Pick<Run, 'id' | 'status' | 'scheduledAt'>[],
): RunView {
  return {
    id: run.id,
    jobId: run.jobId,
    job: run.job,
    trigger: run.trigger,
    scheduledAt: iso(run.scheduledAt),
    firedAt: iso(run.firedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.durationMs,
    status: run.status,
    notifyStatus: run.notifyStatus,
    timedOut: run.timedOut,
    progress: run.progress,
    message: run.message,
    output: run.output,
    lateResult: run.lateResult,
    retryOf: run.retryOf,
    member: run.member,
    params: run.params,
    truncated: run.truncated,
    attempts: attempts.map(attemptView),
    shards: shards.map(shardView),
    ...(retries
      ? {
          retries: retries.map((r) => ({
            id: r.id,
            status: r.status,
            scheduledAt: iso(r.scheduledAt) as string,
          })),
        }
      : {}),
    ...(events ? { events: events.map((e) => ({ ...e, at: iso(e.at) })) } : {}),
  };
}

/** What the group itself does not hold about a member: its health on this node and its load. */
export interface MemberStatus {
  healthy: boolean;
  lastError: string | null;
  /** Epoch ms. */
  lastErrorAt: number | null;
  runningCount: number;
}

export function groupView(
  group: WorkerGroup,
  statusOf: (group: string, url: string) => MemberStatus,
  withSecret = false,
): GroupView {
  return {
    id: group.id,
    name: group.name,
    team: group.team,
    description: group.description,
    members: group.members.map((m) => {
      const status = statusOf(group.name, m.url);
      return {
        url: m.url,
        name: m.name,
        dynamic: m.dynamic,
        healthy: status.healthy,
        lastSeenAt: iso(m.lastSeenAt),
        runningCount: status.runningCount,
        lastError: status.lastError,
        lastErrorAt: iso(status.lastErrorAt),
      };
    }),
    probe: group.probe && { path: group.probe.path, intervalSec: group.probe.intervalMs / 1000 },
    createdAt: iso(group.createdAt),
    updatedAt: iso(group.updatedAt),
    ...(withSecret ? { secret: group.secret } : {}),
  };
}
