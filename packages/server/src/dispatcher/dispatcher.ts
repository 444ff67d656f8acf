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
import type { Attempt } from '../domain/run.js';
import type { Member, WorkerGroup } from '../domain/worker-group.js';
import { runToken } from '../ids.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { readAnswer } from './answer.js';
import { DeliveryWriter } from './delivery-writer.js';
import type { HttpClient } from './http-client.js';
import { MemberChoice } from './member-choice.js';
import type { MemberHealth } from './member-health.js';
import { ShardWriter } from './shard-writer.js';
import { signatureHeader } from './signing.js';
import { callbackBase, TriggerBodies } from './trigger-body.js';
import { triggerRequest } from './trigger-request.js';

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
  /** When the next attempt is due (a resumed run, a retry waiting for its backoff). Default now. */
  nextAttemptAt?: number | null;
  /** Broadcast: shards already made (a resumed run); 0 or absent otherwise. */
  shardTotal?: number;
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
  /** The job's next fire after `at`, which ends an until_delivered effort. */
  nextFireAfter: (job: Job, at: number) => number | null;
  /** Member health: routing prefers healthy members; every attempt's outcome is reported. */
  health: MemberHealth;
}

interface Delivery {
  run: RunToSend;
  job: Job;
  order: Member[];
  triedInRound: number;
  round: number;
  /** Attempts made for the run (all shards together): the next attempt row's number. */
  attempts: { n: number };
  firedAt: number;
  /** When an until_delivered effort stops; computed at the first failure (a cron calculation). */
  giveUpAt: number | null;
  /** Broadcast: the shard this delivery is for, bound to one member, with its own attempt count. */
  shard: { index: number; total: number; member: Member; attempts: number } | null;
}

/** What one attempt came to. */
type AttemptResult =
  | { kind: 'accepted'; record: Attempt; at: number }
  | {
      kind: 'finished';
      record: Attempt;
      at: number;
      status: 'succeeded' | 'failed';
      message: string | null;
      outputJson: string | null;
      truncated: boolean;
    }
  | { kind: 'failed'; record: Attempt };

export class Dispatcher {
  private readonly writer: DeliveryWriter;
  private readonly shardWriter: ShardWriter;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Map<NodeJS.Timeout, (() => void) | undefined>();
  private stopping = false;
  private readonly bodies = new TriggerBodies();
  private readonly choice: MemberChoice;
  /** Runs cancelled on this node while their delivery was under way: no further attempt. */
  private readonly cancelled = new Set<string>();
  private callbackBaseFor = '';
  private callbackBaseText = '';

  constructor(private readonly options: DispatcherOptions) {
    this.choice = new MemberChoice(options.store.routing, options.health);
    // Round-robin positions are saved with each batch of delivery updates, not once per fire.
    this.shardWriter = new ShardWriter(options.store.shards, options.log, () => options.clock.now());
    this.writer = new DeliveryWriter(options.store.runs, options.log, async (batch) => {
      for (const u of batch) if (u.outcome.kind === 'accepted') this.choice.written(u.outcome.member);
      await options.store.routing.savePositions(this.choice.takeDirtyPositions());
    });
  }

  /** Starts sending each run; returns at once. */
  send(items: readonly { run: RunToSend; job: Job }[]): void {
    const now = this.options.clock.now();
    const broadcasts: Delivery[] = [];
    for (const item of items) {
      if (this.stopping) return;
      const { run, job } = item;
      // A retry waiting for its backoff, or a resumed run whose next attempt is later.
      if ((run.nextAttemptAt ?? 0) > now) {
        this.later(run.nextAttemptAt as number, () =>
          this.send([{ run: { ...run, nextAttemptAt: null }, job }]),
        );
        continue;
      }
      const delivery: Delivery = {
        run,
        job,
        order: [],
        triedInRound: 0,
        round: 0,
        attempts: { n: run.attemptCount ?? 0 },
        firedAt: run.firedAt ?? now,
        giveUpAt: null,
        shard: null,
      };
      if (job.routing === 'broadcast') broadcasts.push(delivery);
      else this.track(this.startRound(delivery));
    }
    if (broadcasts.length > 0) this.track(this.startBroadcasts(broadcasts));
  }

  /**
   * Stops delivering a run cancelled on this node (no further attempt or
   * shard) and asks the member(s) working on it to stop (PROTOCOL.md §1):
   * answers each member's answer.
   */
  async cancel(
    job: Job | null,
    runId: string,
    members: readonly string[],
  ): Promise<{ member: string; ok: boolean; httpStatus: number | null; error: string | null }[]> {
    this.cancelled.add(runId);
    // Forget it once any delivery still waiting for a retry timer has had the chance to see it.
    setTimeout(() => this.cancelled.delete(runId), 24 * 3_600_000).unref();
    if (!job || members.length === 0) return [];
    const secret = this.targets(job).secret;
    if (secret === null) return [];
    const body = JSON.stringify({ runId });
    return Promise.all(
      members.map(async (member) => {
        const url =
          job.target.url !== null ? `${job.target.url}/cancel` : `${member}${job.target.path ?? ''}/cancel`;
        const sent = await this.options.http.send({
          url,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-jobcenter-run': runId,
            'x-jobcenter-signature': signatureHeader(
              secret,
              body,
              Math.floor(this.options.clock.now() / 1000),
            ),
          },
          body,
          connectTimeoutMs: job.target.connectTimeoutMs,
          responseTimeoutMs: Math.min(job.target.responseTimeoutMs, 10_000),
        });
        const ok = sent.ok && sent.status >= 200 && sent.status < 300;
        return {
          member,
          ok,
          httpStatus: sent.ok ? sent.status : null,
          error: sent.ok ? (ok ? null : `HTTP ${sent.status}`) : sent.error,
        };
      }),
    );
  }

  /** Resolves once every delivery update so far is written (callbacks call it before reading a run). */
  flush(): Promise<void> {
    return Promise.all([this.writer.flush(), this.shardWriter.flush()]).then(() => undefined);
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
    // Retries that were waiting keep their time (send() waits for nextAttemptAt); the rest go now.
    this.send(items);
    return resumed;
  }

  /** Stops sending: waits up to `graceMs` for answers in flight, then aborts them and writes what is known. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const [timer, onStop] of this.retryTimers) {
      clearTimeout(timer);
      onStop?.();
    }
    this.retryTimers.clear();
    const all = Promise.allSettled([...this.inFlight]);
    // Past the grace period, close the connections: the requests in flight fail and are recorded.
    const timer = setTimeout(() => void this.options.http.destroy(), graceMs);
    await all;
    clearTimeout(timer);
    await this.flush();
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

  /** Runs `fn` at `at` unless the dispatcher stops first (then `onStop`, if given). */
  private later(at: number, fn: () => void, onStop?: () => void): void {
    const timer = setCappedTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.stopping) fn();
      else onStop?.();
    }, at - this.options.clock.now());
    this.retryTimers.set(timer, onStop);
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
    d.order = await this.choice.order(d.job, d.job.target.url === null ? d.job.target.group : null, members);
    d.triedInRound = 0;
    while (!this.stopping && !this.cancelled.has(d.run.id)) {
      const member = d.order[d.triedInRound] as Member;
      d.triedInRound++;
      const result = await this.attempt(d, member, secret);
      if (result.kind !== 'failed') {
        this.record(d, result.record, this.outcomeOf(result, member));
        return;
      }
      // A worker may report by callback and still fail to answer the trigger (it hung, the
      // connection dropped): a run that was finished, cancelled or lost meanwhile gets no more attempts.
      if (!(await this.stillAwaitsDelivery(d.run.id))) {
        // Only the attempt is recorded: the run's row changes only while it awaits delivery.
        this.record(d, result.record, { kind: 'retry_later', nextAttemptAt: this.options.clock.now() });
        return;
      }
      const step = this.nextStep(d, d.order.length);
      if (step.kind === 'give_up') {
        this.record(d, result.record, { kind: 'undelivered', at: step.now, message: step.message });
        this.options.metrics.deliveries.inc({ outcome: 'undelivered' });
        return;
      }
      if (step.kind === 'retry_round') {
        this.record(d, result.record, { kind: 'retry_later', nextAttemptAt: step.at });
        d.round++;
        this.later(step.at, () => this.track(this.startRound(d)));
        return;
      }
      this.record(d, result.record, { kind: 'retry_later', nextAttemptAt: step.now });
    }
  }

  /**
   * Broadcast: one shard per member, each with its own trigger, callback
   * URL and token, each following the job's delivery guarantee on its own
   * member (no failover: a shard belongs to its member).
   */
  private async startBroadcasts(ds: readonly Delivery[]): Promise<void> {
    const ready: { d: Delivery; members: Member[]; secret: string }[] = [];
    for (const d of ds) {
      const { members, secret, problem } = this.targets(d.job);
      if (problem !== null || secret === null) this.track(this.noMembers(d, problem ?? 'no signing secret'));
      else ready.push({ d, members, secret });
    }
    // One transaction makes the shards of every broadcast run of this batch.
    const made = await this.options.store.shards.create(
      ready.map(({ d, members }) => ({
        runId: d.run.id,
        members: members.map((m) => m.url),
        firedAt: d.firedAt,
      })),
    );
    for (const { d, members, secret } of ready) {
      if (!made.has(d.run.id)) continue;
      members.forEach((member, index) => {
        this.track(
          this.deliverShard({ ...d, shard: { index, total: members.length, member, attempts: 0 } }, secret),
        );
      });
    }
  }

  private async deliverShard(d: Delivery, secret: string): Promise<void> {
    const shard = d.shard as NonNullable<Delivery['shard']>;
    const record = (attempt: Attempt, outcome: Parameters<DeliveryWriter['push']>[0]['outcome']) =>
      this.shardWriter.push({ runId: d.run.id, index: shard.index, attempt, outcome });
    while (!this.stopping && !this.cancelled.has(d.run.id)) {
      const result = await this.attempt(d, shard.member, secret);
      if (result.kind !== 'failed') {
        record(result.record, this.outcomeOf(result, shard.member));
        return;
      }
      const step = this.nextStep(d, 1);
      if (step.kind === 'give_up') {
        record(result.record, { kind: 'undelivered', at: step.now, message: step.message });
        this.options.metrics.deliveries.inc({ outcome: 'undelivered' });
        return;
      }
      record(result.record, {
        kind: 'retry_later',
        nextAttemptAt: step.kind === 'retry_round' ? step.at : step.now,
      });
      if (step.kind === 'retry_round') {
        d.round++;
        await new Promise<void>((resolve) => this.later(step.at, resolve, resolve));
      }
    }
  }

  private async stillAwaitsDelivery(runId: string): Promise<boolean> {
    if (this.cancelled.has(runId)) return false;
    await this.writer.flush();
    return this.options.store.runs.awaitsDelivery(runId);
  }

  /** What to do after a failed attempt, per the job's delivery guarantee. */
  private nextStep(
    d: Delivery,
    members: number,
  ):
    | { kind: 'give_up'; now: number; message: string }
    | { kind: 'retry_round'; now: number; at: number }
    | { kind: 'next_member'; now: number } {
    const now = this.options.clock.now();
    const step = afterFailedAttempt(
      {
        delivery: d.job.delivery,
        triedInRound: d.shard ? 1 : d.triedInRound,
        members,
        round: d.round,
        now,
        giveUpAt: this.giveUpAt(d),
      },
      this.options.policy,
    );
    if (step.kind === 'give_up') return { kind: 'give_up', now, message: step.message };
    if (step.kind === 'retry_round') return { kind: 'retry_round', now, at: step.at };
    return { kind: 'next_member', now };
  }

  private outcomeOf(
    result: Exclude<AttemptResult, { kind: 'failed' }>,
    member: Member,
  ): Parameters<DeliveryWriter['push']>[0]['outcome'] {
    if (result.kind === 'accepted') return { kind: 'accepted', member: member.url, at: result.at };
    return {
      kind: 'finished',
      member: member.url,
      at: result.at,
      status: result.status,
      message: result.message,
      outputJson: result.outputJson,
      truncated: result.truncated,
    };
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
      this.later(step.at, () =>
        this.track(d.job.routing === 'broadcast' ? this.startBroadcasts([d]) : this.startRound(d)),
      );
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

  /** One signed trigger to one member, and what its answer means. */
  private async attempt(d: Delivery, member: Member, secret: string): Promise<AttemptResult> {
    const { clock, http, metrics, health } = this.options;
    const { job, run, shard } = d;
    // Taken before the request: shards of one run count their attempts concurrently.
    const seq = ++d.attempts.n;
    const n = shard ? ++shard.attempts : seq;
    const sentAt = clock.now();
    // PROTOCOL.md §1: firedAt is when the first attempt was sent, the same in every attempt.
    if (seq === 1 && !shard) d.firedAt = sentAt;
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
            attempt: n,
            trigger: run.trigger,
            params: run.params,
            callbackBase: this.callbackBase(),
            token: runToken(this.options.serverKey, run.id, shard?.index),
            shard: shard ?? undefined,
          });
    this.choice.sent(member.url);
    // send() never throws: every failure comes back as an answer.
    const sent = await http.send(triggerRequest(target, url, run.id, n, secret, body, sentAt));
    const answer = readAnswer(sent);
    this.choice.answered(member.url, answer.kind === 'accepted');
    const record: Attempt = {
      n: seq,
      member: member.url,
      sentAt,
      httpStatus: sent.ok ? sent.status : null,
      error: answer.kind === 'failed' ? answer.error : null,
      latencyMs: sent.latencyMs,
    };
    if (n === 1 && run.trigger !== 'manual') metrics.fireLateness.observe((sentAt - run.scheduledAt) / 1000);
    const group = target.url === null ? target.group : null;
    const at = clock.now();
    if (answer.kind === 'accepted') {
      if (group !== null) health.deliverySucceeded(group, member.url);
      metrics.deliveries.inc({ outcome: 'accepted' });
      return { kind: 'accepted', record, at };
    }
    if (answer.kind === 'finished') {
      if (group !== null) health.deliverySucceeded(group, member.url);
      const message = capMessage(answer.result.message, this.options.reportLimits);
      const output = capOutput(answer.result.output, this.options.reportLimits);
      metrics.deliveries.inc({ outcome: 'finished' });
      return {
        kind: 'finished',
        record,
        at,
        status: answer.result.status,
        message: message.value,
        outputJson: output.json,
        truncated: message.cut || output.cut,
      };
    }
    // 409 is a busy member, not a sick one.
    if (group !== null && record.httpStatus !== 409)
      health.deliveryFailed(group, member.url, record.error ?? 'failed');
    metrics.deliveries.inc({ outcome: 'attempt_failed' });
    return { kind: 'failed', record };
  }
}
