/**
 * What `GET /api/v1/events` sends as `event: run` whenever a run is created,
 * changes status or progress, or finishes, and how each cached answer takes it.
 * Pure functions: the provider applies them to the query cache.
 */
import type { Job, NotifyStatus, Overview, Page, Run, RunStatus, Trigger } from '../api/types';

export interface RunUpdate {
  id: string;
  jobId: string;
  job: string;
  team: string | null;
  trigger: Trigger;
  status: RunStatus;
  notifyStatus: NotifyStatus;
  progress: number | null;
  message: string | null;
  scheduledAt: string;
  firedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  timedOut: boolean;
}

/** The `data` of an `event: run`, or null when it is not one. */
export function parseRunUpdate(data: string): RunUpdate | null {
  try {
    const value = JSON.parse(data) as Partial<RunUpdate>;
    if (typeof value?.id !== 'string' || typeof value.job !== 'string' || typeof value.status !== 'string')
      return null;
    return value as RunUpdate;
  } catch {
    return null;
  }
}

export const isOpenStatus = (status: RunStatus) => status === 'pending' || status === 'running';

/** The jobs page: the job's last run becomes this run when it is the latest by `scheduledAt`. */
export function withLastRun(page: Page<Job>, update: RunUpdate): Page<Job> {
  let changed = false;
  const items = page.items.map((job) => {
    if (job.id !== update.jobId && job.name !== update.job) return job;
    const last = job.lastRun;
    if (last && last.id !== update.id && last.scheduledAt > update.scheduledAt) return job;
    changed = true;
    return {
      ...job,
      lastRun: {
        id: update.id,
        scheduledAt: update.scheduledAt,
        firedAt: update.firedAt,
        finishedAt: update.finishedAt,
        durationMs: update.durationMs,
        status: update.status,
        notifyStatus: update.notifyStatus,
        timedOut: update.timedOut,
        trigger: update.trigger,
      },
    };
  });
  return changed ? { ...page, items } : page;
}

/** The open run drawer: the fields the event carries (attempts and log come with the next fetch). */
export function withRunFields(run: Run, update: RunUpdate): Run {
  return {
    ...run,
    status: update.status,
    notifyStatus: update.notifyStatus,
    progress: update.progress,
    message: update.message,
    firedAt: update.firedAt,
    finishedAt: update.finishedAt,
    durationMs: update.durationMs,
    timedOut: update.timedOut,
  };
}

/** The overview's "running now": an open run is added or updated, a finished one leaves. */
export function withRunningNow(overview: Overview, update: RunUpdate): Overview {
  const items = overview.runningNow.items;
  const index = items.findIndex((r) => r.runId === update.id);
  if (!isOpenStatus(update.status)) {
    if (index < 0) return overview;
    return {
      ...overview,
      runningNow: {
        count: Math.max(0, overview.runningNow.count - 1),
        items: items.filter((_r, i) => i !== index),
      },
    };
  }
  const entry = {
    runId: update.id,
    jobId: update.jobId,
    job: update.job,
    status: update.status,
    scheduledAt: update.scheduledAt,
    firedAt: update.firedAt,
    progress: update.progress,
    member: index >= 0 ? (items[index]?.member ?? null) : null,
  };
  if (index >= 0) {
    const next = [...items];
    next[index] = entry;
    return { ...overview, runningNow: { ...overview.runningNow, items: next } };
  }
  return {
    ...overview,
    runningNow: { count: overview.runningNow.count + 1, items: [entry, ...items] },
  };
}
