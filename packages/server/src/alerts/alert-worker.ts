/**
 * The alert worker: turns the events the run triggers recorded into outbox
 * messages, applying each job's alert policy, the throttle window (one
 * alert per job and kind per window, a digest of the rest when it closes),
 * failure episodes (`recovered`, escalation), paused jobs and maintenance
 * windows. It never touches the fire path: events wait in their table until
 * it gets to them, and survive restarts there.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import {
  type AlertPolicy,
  type Decision,
  decide,
  EVENT_KINDS,
  type EventKind,
  FAILURE_KINDS,
  policyOf,
} from '../domain/alert-policy.js';
import type { Job } from '../domain/job.js';
import type { Run } from '../domain/run.js';
import { DEFAULT_TEAM } from '../domain/user.js';
import { newId } from '../ids.js';
import { Periodic } from '../monitor/periodic.js';
import type { AlertBatch, NewAlertMessage, ThrottleState } from '../store/alerts-repo.js';
import type { Store } from '../store/store.js';
import type { AlertContent } from './channel.js';
import { mentioned, resolveRecipients } from './recipients.js';
import { type AlertInput, renderAlert } from './render.js';

export interface AlertWorkerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** How often events and closed windows are looked at, ms. */
  intervalMs: number;
  /** One alert per job and kind within this window; the rest go in a digest when it closes, ms. */
  windowMs: number;
  /** For jobs that name no kinds or no recipients. */
  defaults: AlertPolicy;
  language: 'en' | 'zh-CN';
  templatesDir: string | undefined;
  /** The console's base URL, for links to runs. */
  publicUrl: () => string;
  /** Events per transaction. Default 200. */
  batchSize?: number;
}

interface Planned {
  event: { jobId: string; runId: string; kind: EventKind };
  job: Job;
  decision: Decision;
}

export class AlertWorker {
  private readonly periodic: Periodic;

  constructor(private readonly options: AlertWorkerOptions) {
    this.periodic = new Periodic(options.intervalMs, () => this.runOnce());
  }

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** Digests of closed windows, then every waiting event; errors are logged, never thrown. */
  async runOnce(): Promise<void> {
    const { store, log } = this.options;
    const size = this.options.batchSize ?? 200;
    try {
      while (
        (await store.alerts.withClosedWindows(this.options.clock.now(), size, (b, c) =>
          this.digests(b, c),
        )) === size
      );
      while ((await store.alerts.withEvents(size, (batch) => this.handle(batch))) === size);
    } catch (err) {
      log.error({ err }, 'alerting: handling run events failed; they stay queued');
    }
  }

  private link(job: string, runId: string | null): string {
    const base = `${this.options.publicUrl()}/jobs/${encodeURIComponent(job)}`;
    return runId ? `${base}?run=${runId}` : base;
  }

  private async handle(batch: AlertBatch): Promise<void> {
    const now = this.options.clock.now();
    const jobIds = [...new Set(batch.events.map((e) => e.jobId))];
    const [jobs, runs, states, episodes] = await Promise.all([
      batch.jobs(jobIds),
      batch.runs([...new Set(batch.events.map((e) => e.runId))]),
      batch.states(jobIds),
      batch.episodes(jobIds),
    ]);
    const teams = [...new Set([...jobs.values()].map((j) => j.team ?? DEFAULT_TEAM))];
    const times = batch.events.map((e) => e.at);
    const windows = await batch.maintenance(teams, Math.min(...times), Math.max(...times));
    // Quiet is decided at the time the run changed, not when the worker gets to it.
    const inMaintenance = (team: string, at: number) =>
      windows.some((w) => w.team === team && w.startsAt <= at && at < w.endsAt);
    const planned: Planned[] = [];
    const touchedStates = new Set<string>();
    const touchedEpisodes = new Set<string>();

    for (const event of batch.events) {
      const job = jobs.get(event.jobId);
      // A deleted job alerts no one; unknown kinds come from a newer version.
      if (!job || !(EVENT_KINDS as readonly string[]).includes(event.kind)) continue;
      const kind = event.kind as EventKind;
      const policy = policyOf(job.alerts, this.options.defaults);
      const alertKind = kind === 'succeeded' ? 'recovered' : kind;
      const key = `${job.id}\n${alertKind}`;
      const state = states.get(key);
      const decision = decide({
        event: kind,
        policy,
        jobEnabled: event.jobEnabled,
        inMaintenance: inMaintenance(job.team ?? DEFAULT_TEAM, event.at),
        windowUntil: state && state.windowUntil > now ? state.windowUntil : null,
        episodeFailures: episodes.get(job.id) ?? null,
        now,
        windowMs: this.options.windowMs,
      });
      // Keep the maps current: the next event of this batch sees this one's effect.
      if (decision.episodeFailures === null) episodes.delete(job.id);
      else episodes.set(job.id, decision.episodeFailures);
      touchedEpisodes.add(job.id);
      if (
        decision.outcome === 'throttled' ||
        (decision.outcome === 'send' && decision.windowUntil !== null)
      ) {
        const next: ThrottleState = {
          jobId: job.id,
          kind: alertKind,
          windowUntil: decision.windowUntil ?? state?.windowUntil ?? now,
          suppressed: (state?.suppressed ?? 0) + (decision.outcome === 'throttled' ? 1 : 0),
          lastRunId: event.runId,
        };
        states.set(key, next);
        touchedStates.add(key);
      }
      if (kind === 'succeeded') {
        // The episode is over: the failure windows close now, their digests go out next pass.
        for (const failureKind of FAILURE_KINDS) {
          const failureKey = `${job.id}\n${failureKind}`;
          const open = states.get(failureKey);
          if (open && open.windowUntil > now) {
            states.set(failureKey, { ...open, windowUntil: now });
            touchedStates.add(failureKey);
          }
        }
      }
      if (decision.outcome === 'send' && decision.recipients.length > 0) {
        planned.push({ event: { jobId: job.id, runId: event.runId, kind }, job, decision });
      }
    }

    for (const key of touchedStates) {
      const state = states.get(key);
      if (state) await batch.putState(state);
    }
    for (const jobId of touchedEpisodes) await batch.putEpisode(jobId, episodes.get(jobId) ?? null, now);
    await batch.addMessages(await this.messages(batch, planned, runs, now));
  }

  private async messages(
    batch: AlertBatch,
    planned: readonly Planned[],
    runs: ReadonlyMap<string, Run>,
    now: number,
  ): Promise<NewAlertMessage[]> {
    if (planned.length === 0) return [];
    const names = mentioned(planned.flatMap((p) => p.decision.recipients));
    const directory = await batch.directory(names.users, names.teams);
    const out: NewAlertMessage[] = [];
    for (const { event, job, decision } of planned) {
      const run = runs.get(event.runId);
      const content = this.render({
        kind: decision.kind,
        job: job.name,
        team: job.team,
        owner: job.owner,
        scheduledAt: run?.scheduledAt ?? null,
        status: run?.status ?? null,
        durationMs: run?.durationMs ?? null,
        message: run?.message ?? null,
        member: run?.member ?? null,
        runId: event.runId,
        link: this.link(job.name, event.runId),
        timezone: job.schedule.timezone,
      });
      out.push(...this.outbox(job, event.runId, decision.kind, content, decision.recipients, directory, now));
    }
    return out;
  }

  private async digests(batch: AlertBatch, closed: readonly ThrottleState[]): Promise<void> {
    const now = this.options.clock.now();
    const jobs = await batch.jobs([...new Set(closed.map((s) => s.jobId))]);
    const plans = closed.flatMap((state) => {
      const job = jobs.get(state.jobId);
      if (!job?.enabled) return [];
      return [{ state, job, policy: policyOf(job.alerts, this.options.defaults) }];
    });
    if (plans.length === 0) return;
    const names = mentioned(plans.flatMap((p) => p.policy.recipients));
    const directory = await batch.directory(names.users, names.teams);
    const out: NewAlertMessage[] = [];
    for (const { state, job, policy } of plans) {
      const content = this.render({
        kind: 'digest',
        job: job.name,
        team: job.team,
        owner: job.owner,
        scheduledAt: null,
        status: state.kind,
        durationMs: null,
        message: null,
        member: null,
        runId: state.lastRunId,
        link: this.link(job.name, null),
        count: state.suppressed,
        since: state.windowUntil - this.options.windowMs,
        timezone: job.schedule.timezone,
      });
      out.push(...this.outbox(job, state.lastRunId, 'digest', content, policy.recipients, directory, now));
    }
    await batch.addMessages(out);
  }

  private render(input: AlertInput): AlertContent {
    return renderAlert(input, this.options.language, this.options.templatesDir);
  }

  /** One outbox row per delivery, and one failed row per recipient that cannot be reached. */
  private outbox(
    job: Job,
    runId: string | null,
    kind: string,
    content: AlertContent,
    recipients: readonly string[],
    directory: Parameters<typeof resolveRecipients>[1],
    now: number,
  ): NewAlertMessage[] {
    const { deliveries, problems } = resolveRecipients(recipients, directory);
    const text = JSON.stringify(content);
    const common = {
      kind,
      jobId: job.id,
      jobName: job.name,
      team: job.team ?? DEFAULT_TEAM,
      runId,
      content: text,
      createdAt: now,
    };
    return [
      ...deliveries.map((d) => ({
        ...common,
        id: newId(now),
        channel: d.channel,
        recipient: d.address,
        status: 'pending' as const,
        lastError: null,
      })),
      ...problems.map((p) => ({
        ...common,
        id: newId(now),
        channel: '-',
        recipient: p.recipient,
        status: 'failed' as const,
        lastError: p.problem,
      })),
    ];
  }
}
