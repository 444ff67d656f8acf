/**
 * Active health checks: for each group with a `probe`, every member gets
 * `GET {member.url}{probe.path}` every `probe.intervalMs`, signed like a GET
 * trigger (empty body), with a short timeout. A 2xx answer makes the member
 * healthy; anything else (another status, a connection error, no answer in
 * time) unhealthy, with the reason as its last error.
 */

import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { HttpClient } from '../dispatcher/http-client.js';
import { signatureHeader } from '../dispatcher/signing.js';
import type { WorkerGroup } from '../domain/worker-group.js';
import type { MemberHealthMonitor } from './member-health.js';
import { Periodic } from './periodic.js';

/** The groups as the node currently knows them (the group cache). */
export interface ProbedGroups {
  all(): Iterable<WorkerGroup>;
  get(name: string): WorkerGroup | undefined;
  hasMember(group: string, url: string): boolean;
}

export interface MemberProbesOptions {
  groups: ProbedGroups;
  health: MemberHealthMonitor;
  clock: Clock;
  log: Logger;
  /** How often due probes are looked for, ms (the monitor's interval). */
  tickMs: number;
  /** Connect and answer timeout of one probe, ms. */
  timeoutMs: number;
}

interface ProbeTarget {
  group: string;
  url: string;
  nextAt: number;
}

/** Bytes of a probe's answer read at most: only the status matters. */
const PROBE_BODY_BYTES = 4_096;

export class MemberProbes {
  private readonly http = new HttpClient({ connectionsPerOrigin: 2, maxResponseBytes: PROBE_BODY_BYTES });
  /** Keyed by group and URL; a target with a probe in flight is not probed again. */
  private readonly targets = new Map<string, ProbeTarget>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly periodic: Periodic;
  private running = false;

  constructor(private readonly options: MemberProbesOptions) {
    this.periodic = new Periodic(options.tickMs, () => this.probeDue());
  }

  /** Starts probing. Idempotent. */
  start(): void {
    this.running = true;
    this.periodic.start();
  }

  /** Stops probing, aborts probes in flight and ignores their outcome. Idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    await this.periodic.stop();
    await this.http.destroy();
    await Promise.all(this.inFlight.values());
  }

  /** One pass: sends the probes that are due, forgets members that left. */
  probeDue(): void {
    const { groups, health, clock } = this.options;
    const now = clock.now();
    for (const group of groups.all()) {
      if (!group.probe) continue;
      for (const member of group.members) {
        const key = `${group.name}\n${member.url}`;
        let target = this.targets.get(key);
        if (!target) {
          target = { group: group.name, url: member.url, nextAt: now };
          this.targets.set(key, target);
        }
        if (target.nextAt > now || this.inFlight.has(key)) continue;
        target.nextAt = now + group.probe.intervalMs;
        const probe = this.probe(group, member.url, group.probe.path).finally(() =>
          this.inFlight.delete(key),
        );
        this.inFlight.set(key, probe);
      }
    }
    for (const [key, target] of this.targets) {
      if (!groups.get(target.group)?.probe || !groups.hasMember(target.group, target.url))
        this.targets.delete(key);
    }
    health.forgetMissing((group, url) => groups.hasMember(group, url));
  }

  private async probe(group: WorkerGroup, url: string, path: string): Promise<void> {
    const { health, clock, timeoutMs } = this.options;
    const result = await this.http.send({
      url: `${url}${path}`,
      method: 'GET',
      headers: { 'x-jobcenter-signature': signatureHeader(group.secret, '', Math.floor(clock.now() / 1000)) },
      body: null,
      connectTimeoutMs: timeoutMs,
      responseTimeoutMs: timeoutMs,
    });
    if (!this.running) return;
    if (result.ok && result.status >= 200 && result.status < 300) health.probeSucceeded(group.name, url);
    else health.probeFailed(group.name, url, result.ok ? `HTTP ${result.status}` : result.error);
  }
}
