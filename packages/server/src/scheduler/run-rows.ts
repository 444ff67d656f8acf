/** Builds the run rows the scheduler and the API write. */
import type { Job } from '../domain/job.js';
import type { Trigger } from '../domain/run.js';
import { newId } from '../ids.js';
import type { NewRun } from '../store/runs-repo.js';

/** A run about to be sent now: `firedAt` is now, limits count from it. */
export function pendingRun(
  job: Job,
  trigger: Trigger,
  scheduledAt: number,
  now: number,
  defaultDeadlineSec: number,
  params: Record<string, unknown> = job.params,
  retry: { of: string; retriesLeft: number } | null = null,
): NewRun {
  const deadlineSec = job.deadlineSec ?? defaultDeadlineSec;
  return {
    id: newId(now),
    jobId: job.id,
    job: job.name,
    trigger,
    scheduledAt,
    firedAt: now,
    status: 'pending',
    notifyStatus: 'pending',
    params,
    timeoutAt: job.timeoutSec === null ? null : now + Math.round(job.timeoutSec * 1000),
    deadlineAt: now + Math.round(deadlineSec * 1000),
    message: null,
    output: null,
    retryOf: retry?.of ?? null,
    createdAt: now,
    retriesLeft: retry ? retry.retriesLeft : job.retry.count,
    heartbeatMs: job.heartbeatSec === null ? null : Math.round(job.heartbeatSec * 1000),
    skipIfBusy: job.delivery === 'until_delivered_if_idle',
  };
}

/** A fire that was due while no scheduler ran (or skipped by the misfire policy): never sent. */
export function missedRun(
  job: Job,
  scheduledAt: number,
  now: number,
  message: string,
  output: unknown = null,
): NewRun {
  return {
    id: newId(now),
    jobId: job.id,
    job: job.name,
    trigger: 'schedule',
    scheduledAt,
    firedAt: null,
    status: 'missed',
    notifyStatus: 'skipped',
    params: {},
    timeoutAt: null,
    deadlineAt: scheduledAt,
    message,
    output,
    retryOf: null,
    createdAt: now,
    retriesLeft: 0,
    heartbeatMs: null,
    skipIfBusy: false,
  };
}
