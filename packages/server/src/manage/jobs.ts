/**
 * Job management: the operations behind the jobs API. Each one validates,
 * writes in one statement or transaction, then re-plans the job at once.
 */

import type { JobInput } from '../api/schemas.js';
import type { Clock } from '../clock.js';
import type { Job } from '../domain/job.js';
import type { Run } from '../domain/run.js';
import { ApiError, invalid } from '../errors.js';
import { newId, newSecret } from '../ids.js';
import { pendingRun } from '../scheduler/run-rows.js';
import type { NewRun } from '../store/runs-repo.js';
import type { Store } from '../store/store.js';
import { type JobInputDefaults, toJobSpec } from './job-input.js';

export interface JobEvents {
  /** A job changed (null: deleted); the scheduler re-plans it. */
  jobChanged(jobId: string, job: Job | null): void;
  /** A manual run was written; the dispatcher sends it. */
  runCreated(run: NewRun, job: Job): void;
}

export class JobManager {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly defaults: JobInputDefaults,
    private readonly events: JobEvents,
  ) {}

  async get(idOrName: string): Promise<Job> {
    const job = await this.store.jobs.find(idOrName);
    if (!job) throw new ApiError('job_not_found', `no job with id or name "${idOrName}"`);
    return job;
  }

  async create(input: JobInput): Promise<Job> {
    const spec = toJobSpec(input, this.defaults);
    await this.checkGroup(spec.target.group);
    const now = this.clock.now();
    const job: Job = {
      ...spec,
      id: newId(now),
      secret: spec.target.url !== null ? newSecret() : null,
      createdAt: now,
      updatedAt: now,
      plannedFrom: now,
    };
    try {
      await this.store.jobs.insert(job);
    } catch (err) {
      if (this.store.dialect.isUniqueViolation(err)) {
        throw new ApiError('duplicate_name', `a job named "${job.name}" already exists`, 'name');
      }
      throw err;
    }
    this.events.jobChanged(job.id, job);
    return job;
  }

  /** Replaces the whole job; `newSecret` is set when the job just got its own secret. */
  async replace(idOrName: string, input: JobInput): Promise<{ job: Job; newSecret: string | null }> {
    const current = await this.get(idOrName);
    const spec = toJobSpec(input, this.defaults);
    await this.checkGroup(spec.target.group);
    const now = this.clock.now();
    const scheduleChanged =
      spec.schedule.cron !== current.schedule.cron || spec.schedule.timezone !== current.schedule.timezone;
    const resumed = spec.enabled && !current.enabled;
    const job: Job = {
      ...spec,
      id: current.id,
      secret: spec.target.url !== null ? (current.secret ?? newSecret()) : null,
      createdAt: current.createdAt,
      updatedAt: now,
      // A new schedule or a resume starts from now: no missed fires for the time before.
      plannedFrom: scheduleChanged || resumed ? now : current.plannedFrom,
    };
    try {
      const found = await this.store.jobs.replace(job);
      if (!found) throw new ApiError('job_not_found', `no job with id or name "${idOrName}"`);
    } catch (err) {
      if (this.store.dialect.isUniqueViolation(err)) {
        throw new ApiError('duplicate_name', `a job named "${job.name}" already exists`, 'name');
      }
      throw err;
    }
    this.events.jobChanged(job.id, job);
    return { job, newSecret: job.secret !== null && current.secret === null ? job.secret : null };
  }

  /** A new signing secret for a job with an absolute target.url. */
  async rotateSecret(idOrName: string): Promise<Job> {
    const job = await this.get(idOrName);
    if (job.secret === null) {
      throw invalid(
        'target',
        "this job uses its worker group's secret (see /worker-groups/{name}/secret/rotate)",
      );
    }
    const updated: Job = { ...job, secret: newSecret(), updatedAt: this.clock.now() };
    await this.store.jobs.replace(updated);
    this.events.jobChanged(job.id, updated);
    return updated;
  }

  async delete(idOrName: string): Promise<void> {
    const job = await this.get(idOrName);
    await this.store.jobs.delete(job, this.clock.now());
    this.events.jobChanged(job.id, null);
  }

  /** Pause (enabled false) or resume (true); idempotent. */
  async setEnabled(idOrName: string, enabled: boolean): Promise<Job> {
    const job = await this.get(idOrName);
    if (job.enabled === enabled) return job;
    const now = this.clock.now();
    await this.store.jobs.setEnabled(job.id, enabled, now);
    const updated: Job = { ...job, enabled, updatedAt: now, plannedFrom: enabled ? now : job.plannedFrom };
    this.events.jobChanged(job.id, updated);
    return updated;
  }

  /** Run now: job params shallow-merged with `params` (these win). Works on paused jobs too. */
  async trigger(idOrName: string, params: Record<string, unknown> | undefined): Promise<Run> {
    const job = await this.get(idOrName);
    const now = this.clock.now();
    const run = pendingRun(job, 'manual', now, now, this.defaults.defaultDeadlineSec, {
      ...job.params,
      ...(params ?? {}),
    });
    const toSend = await this.store.runs.insertRuns([run]);
    // until_delivered_if_idle with another run open: written skipped, nobody is notified.
    if (toSend.has(run.id)) this.events.runCreated(run, job);
    const stored = await this.store.runs.find(run.id);
    if (!stored) throw new Error(`run ${run.id} vanished after insert`);
    return stored;
  }

  private async checkGroup(group: string | null): Promise<void> {
    if (group === null) return;
    const found = await this.store.groups.find(group);
    if (!found) throw invalid('target.group', `no worker group named "${group}" (create it first)`);
  }
}
