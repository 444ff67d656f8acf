/**
 * The dispatcher: for each run, picks member(s) by the job's routing, sends
 * the signed trigger, records every attempt and follows the job's delivery
 * guarantee (PROTOCOL.md §1, §4).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { setCappedTimeout } from '../clock.js';
import { capMessage, capOutput, type ReportLimits } from '../domain/callback-rules.js';
import { afterFailedAttempt, type DeliveryPolicy, deliveryGiveUpAt } from '../domain/delivery.js';
import type { Job } from '../domain/job.js';
import { memberOrder } from '../domain/routing.js';
import type { Attempt } from '../domain/run.js';
import type { Member, WorkerGroup } from '../domain/worker-group.js';
import { runToken } from '../ids.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { readAnswer } from './answer.js';
import { DeliveryWriter } from './delivery-writer.js';
import type { HttpClient } from './http-client.js';
import type { MemberHealth } from './member-health.js';
import { signatureHeader } from './signing.js';
import { callbackBase, TriggerBodies } from './trigger-body.js';

/** What the dispatcher needs of a run to send it. */
export interface RunToSend {
  id: string;
  jobId: string;
  trigger: string;
  scheduledAt: number;
  firedAt: number | null;
  params: Record<string, unknown>;
  deadlineAt: number;
  /** Attempts already made (a run resumed after a restart). Default 0. */
  attemptCount?: number;
  /** When a resumed run's next attempt is due. */
  nextAttemptAt?: number | null;
}

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  http: HttpClient;
  metrics: Metrics;
  policy: DeliveryPolicy;
  /** Caps on stored message and output, as for callbacks. */
  reportLimits: ReportLimits;
  serverKey: Buffer;
  /** Base of callback URLs, e.g. http://jobcenter.internal:8080 */
  publicUrl: () => string;
  groups: (name: string) => WorkerGroup | undefined;
  /** Member health: routing consults it; every attempt's outcome is reported to it. */
  health: MemberHealth;
  /** The job's next fire after `at`, which ends an until_delivered effort. */
  nextFireAfter: (job: Job, at: number) => number | null;
}

interface Delivery {
  run: RunToSend;
  job: Job;
  order: Member[];
  triedInRound: number;
  round: number;
  attempts: number;
  firedAt: number;
  /** When an until_delivered effort stops; computed at the first failure (a cron calculation). */
  giveUpAt: number | null;
}

export class Dispatcher {
  private readonly writer: DeliveryWriter;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private readonly bodies = new TriggerBodies();
  private callbackBaseFor = '';
  private callbackBaseText = '';

  constructor(private readonly options: DispatcherOptions) {
    this.writer = new DeliveryWriter(options.store.runs, options.log);
  }

  /** Starts sending each run; returns at once. */
  send(items: readonly { run: RunToSend; job: Job }[]): void {
    for (const { run, job } of items) {
      if (this.stopping) return;
      const firedAt = run.firedAt ?? this.options.clock.now();
      const delivery: Delivery = {
        run,
        job,
        order: [],
        triedInRound: 0,
        round: 0,
        attempts: run.attemptCount ?? 0,
        firedAt,
        giveUpAt: null,
      };
      this.track(this.startRound(delivery));
    }
  }

  /** Resolves once every delivery update so far is written (callbacks call it before reading a run). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Resumes runs left pending by a previous process (after a restart). */
  async resumePending(): Promise<number> {
    const { store, clock, log } = this.options;
    let resumed = 0;
    const runs = await store.runs.undelivered(clock.now() + 86_400_000, 100_000);
    const jobs = new Map<string, Job | null>();
    const items: { run: RunToSend; job: Job }[] = [];
    for (const run of runs) {
      if (!jobs.has(run.jobId)) jobs.set(run.jobId, await store.jobs.findById(run.jobId));
      const job = jobs.get(run.jobId);
      if (!job) {
        await store.runs.failUndelivered(run.id, clock.now(), 'not delivered: the job was deleted');
        continue;
      }
      items.push({ run, job });
      resumed++;
    }
    if (resumed > 0) log.info({ runs: resumed }, 'resuming deliveries left pending by the previous process');
    // Retries that were waiting keep their time; the rest go now.
    for (const item of items) {
      const wait = item.run.nextAttemptAt ?? 0;
      if (wait > clock.now()) this.later(wait, () => this.send([item]));
      else this.send([item]);
    }
    return resumed;
  }

  /** Stops sending: waits up to `graceMs` for answers in flight, then aborts them and writes what is known. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const all = Promise.allSettled([...this.inFlight]);
    // Past the grace period, close the connections: the requests in flight fail and are recorded.
    const timer = setTimeout(() => void this.options.http.destroy(), graceMs);
    await all;
    clearTimeout(timer);
    await this.writer.flush();
  }

  private callbackBase(): string {
    const publicUrl = this.options.publicUrl();
    if (publicUrl !== this.callbackBaseFor) {
      this.callbackBaseFor = publicUrl;
      this.callbackBaseText = callbackBase(publicUrl);
    }
    return this.callbackBaseText;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) =>
      this.options.log.error({ err }, 'delivery failed unexpectedly'),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private later(at: number, fn: () => void): void {
    const timer = setCappedTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.stopping) fn();
    }, at - this.options.clock.now());
    this.retryTimers.add(timer);
  }

  private targets(job: Job): { members: Member[]; secret: string | null; problem: string | null } {
    if (job.target.url !== null)
      return { members: [{ url: job.target.url, name: null }], secret: job.secret, problem: null };
    const group = job.target.group === null ? undefined : this.options.groups(job.target.group);
    if (!group)
      return { members: [], secret: null, problem: `worker group "${job.target.group}" does not exist` };
    if (group.members.length === 0)
      return { members: [], secret: group.secret, problem: `worker group "${group.name}" has no members` };
    return { members: group.members, secret: group.secret, problem: null };
  }

  private async startRound(d: Delivery): Promise<void> {
    const { members, secret, problem } = this.targets(d.job);
    if (problem !== null || secret === null) {
      await this.noMembers(d, problem ?? 'no signing secret');
      return;
    }
    d.order = memberOrder(d.job.routing, members);
    d.triedInRound = 0;
    while (!this.stopping) {
      const member = d.order[d.triedInRound] as Member;
      d.triedInRound++;
      d.attempts++;
      const attempt = await this.attempt(d, member, secret);
      if (attempt.done) return;
      const now = this.options.clock.now();
      const step = afterFailedAttempt(
        {
          delivery: d.job.delivery,
          triedInRound: d.triedInRound,
          members: d.order.length,
          round: d.round,
          now,
          giveUpAt: this.giveUpAt(d),
        },
        this.options.policy,
      );
      if (step.kind === 'give_up') {
        this.record(d, attempt.record, { kind: 'undelivered', at: now, message: step.message });
        this.options.metrics.deliveries.inc({ outcome: 'undelivered' });
        return;
      }
      if (step.kind === 'retry_round') {
        this.record(d, attempt.record, { kind: 'retry_later', nextAttemptAt: step.at });
        d.round++;
        this.later(step.at, () => this.track(this.startRound(d)));
        return;
      }
      this.record(d, attempt.record, { kind: 'retry_later', nextAttemptAt: now });
    }
  }

  private giveUpAt(d: Delivery): number {
    d.giveUpAt ??= deliveryGiveUpAt(
      d.firedAt,
      d.run.deadlineAt,
      this.options.nextFireAfter(d.job, d.run.scheduledAt),
    );
    return d.giveUpAt;
  }

  private async noMembers(d: Delivery, problem: string): Promise<void> {
    const now = this.options.clock.now();
    const step = afterFailedAttempt(
      {
        delivery: d.job.delivery,
        triedInRound: 1,
        members: 1,
        round: d.round,
        now,
        giveUpAt: this.giveUpAt(d),
      },
      this.options.policy,
    );
    if (step.kind === 'retry_round') {
      d.round++;
      this.options.log.warn(
        { runId: d.run.id, job: d.job.name, problem },
        'cannot deliver yet; retrying later',
      );
      this.later(step.at, () => this.track(this.startRound(d)));
      return;
    }
    await this.writer.flush();
    await this.options.store.runs.failUndelivered(d.run.id, now, `not delivered: ${problem}`);
    this.options.metrics.deliveries.inc({ outcome: 'undelivered' });
  }

  private record(
    d: Delivery,
    attempt: Attempt,
    outcome: Parameters<DeliveryWriter['push']>[0]['outcome'],
  ): void {
    this.writer.push({ runId: d.run.id, attempt, outcome });
  }

  /** One signed trigger to one member. Records the attempt unless it failed and a decision is pending. */
  private async attempt(
    d: Delivery,
    member: Member,
    secret: string,
  ): Promise<{ done: boolean; record: Attempt }> {
    const { clock, http, metrics } = this.options;
    const { job, run } = d;
    const sentAt = clock.now();
    const tSec = Math.floor(sentAt / 1000);
    const target = job.target;
    const url = target.url ?? `${member.url}${target.path ?? ''}`;
    const body =
      target.method === 'GET'
        ? ''
        : this.bodies.build({
            runId: run.id,
            job,
            scheduledAt: run.scheduledAt,
            firedAt: d.firedAt,
            attempt: d.attempts,
            trigger: run.trigger,
            params: run.params,
            callbackBase: this.callbackBase(),
            token: runToken(this.options.serverKey, run.id),
          });
    const headers: Record<string, string> = {
      ...target.headers,
      'x-jobcenter-run': run.id,
      'x-jobcenter-attempt': String(d.attempts),
      'x-jobcenter-signature': signatureHeader(secret, body, tSec),
    };
    if (target.method !== 'GET') headers['content-type'] = 'application/json';
    const sent = await http.send({
      url,
      method: target.method,
      headers,
      body: target.method === 'GET' ? null : body,
      connectTimeoutMs: target.connectTimeoutMs,
      responseTimeoutMs: target.responseTimeoutMs,
    });
    const answer = readAnswer(sent);
    const record: Attempt = {
      n: d.attempts,
      member: member.url,
      sentAt,
      httpStatus: sent.ok ? sent.status : null,
      error: answer.kind === 'failed' ? answer.error : null,
      latencyMs: sent.latencyMs,
    };
    if (d.attempts === 1 && run.trigger !== 'manual')
      metrics.fireLateness.observe((sentAt - run.scheduledAt) / 1000);
    const at = clock.now();
    if (answer.kind === 'accepted') {
      this.record(d, record, { kind: 'accepted', member: member.url, at });
      metrics.deliveries.inc({ outcome: 'accepted' });
      return { done: true, record };
    }
    if (answer.kind === 'finished') {
      const message = capMessage(answer.result.message, this.options.reportLimits);
      const output = capOutput(answer.result.output, this.options.reportLimits);
      this.record(d, record, {
        kind: 'finished',
        member: member.url,
        at,
        status: answer.result.status,
        message: message.value,
        outputJson: output.json,
        truncated: message.cut || output.cut,
      });
      metrics.deliveries.inc({ outcome: 'finished' });
      return { done: true, record };
    }
    metrics.deliveries.inc({ outcome: 'attempt_failed' });
    return { done: false, record };
  }
}
