/**
 * Member health as this node sees it, in memory (see docs/decisions.md):
 * passive, from the outcomes of deliveries and runs the dispatcher and the
 * time limits report, and active, from the probes of `MemberProbes`.
 *
 * - `memberFailureThreshold` consecutive failed deliveries: unhealthy.
 * - a lost run or a failed probe: unhealthy at once.
 * - a delivery or a probe that succeeds: healthy again, the count restarts.
 *
 * The latest evidence wins; the last error stays visible after recovery.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { MemberHealth } from '../dispatcher/member-health.js';

/** One member's health as the API shows it. */
export interface MemberHealthState {
  healthy: boolean;
  /** Failed deliveries since the last success. */
  consecutiveFailures: number;
  lastError: string | null;
  /** Epoch ms of `lastError`. */
  lastErrorAt: number | null;
}

const UNKNOWN: Readonly<MemberHealthState> = Object.freeze({
  healthy: true,
  consecutiveFailures: 0,
  lastError: null,
  lastErrorAt: null,
});

export interface MemberHealthOptions {
  clock: Clock;
  log: Logger;
  /** Consecutive failed deliveries that make a member unhealthy; at least 1. */
  failureThreshold: number;
}

export class MemberHealthMonitor implements MemberHealth {
  /** group name → member URL → state; members never reported on have no entry (healthy). */
  private readonly groups = new Map<string, Map<string, MemberHealthState>>();

  constructor(private readonly options: MemberHealthOptions) {}

  isHealthy(group: string, url: string): boolean {
    return this.groups.get(group)?.get(url)?.healthy ?? true;
  }

  stateOf(group: string, url: string): Readonly<MemberHealthState> {
    return this.groups.get(group)?.get(url) ?? UNKNOWN;
  }

  deliverySucceeded(group: string, url: string): void {
    // The hot path: nothing is allocated for a member that never failed.
    const state = this.groups.get(group)?.get(url);
    if (state) this.recovered(group, url, state, 'delivery');
  }

  deliveryFailed(group: string, url: string, error: string): void {
    const state = this.failed(group, url, error);
    state.consecutiveFailures++;
    if (state.healthy && state.consecutiveFailures >= this.options.failureThreshold) {
      this.markUnhealthy(
        group,
        url,
        state,
        `${state.consecutiveFailures} deliveries failed in a row, the last: ${error}`,
      );
    }
  }

  runLost(group: string, url: string, reason: string): void {
    const state = this.failed(group, url, reason);
    if (state.healthy) this.markUnhealthy(group, url, state, `a run was lost: ${reason}`);
  }

  probeSucceeded(group: string, url: string): void {
    const state = this.groups.get(group)?.get(url);
    if (state) this.recovered(group, url, state, 'probe');
  }

  probeFailed(group: string, url: string, error: string): void {
    const state = this.failed(group, url, `probe: ${error}`);
    if (state.healthy) this.markUnhealthy(group, url, state, `probe failed: ${error}`);
  }

  /** Drops the state of members `isMember` no longer knows (removed, expired, group gone). */
  forgetMissing(isMember: (group: string, url: string) => boolean): void {
    for (const [group, members] of this.groups) {
      for (const url of members.keys()) if (!isMember(group, url)) members.delete(url);
      if (members.size === 0) this.groups.delete(group);
    }
  }

  private failed(group: string, url: string, error: string): MemberHealthState {
    let members = this.groups.get(group);
    if (!members) {
      members = new Map();
      this.groups.set(group, members);
    }
    let state = members.get(url);
    if (!state) {
      state = { ...UNKNOWN };
      members.set(url, state);
    }
    state.lastError = error;
    state.lastErrorAt = this.options.clock.now();
    return state;
  }

  private markUnhealthy(group: string, url: string, state: MemberHealthState, why: string): void {
    state.healthy = false;
    this.options.log.warn({ group, member: url, reason: why }, 'member unhealthy');
  }

  private recovered(group: string, url: string, state: MemberHealthState, by: string): void {
    state.consecutiveFailures = 0;
    if (state.healthy) return;
    state.healthy = true;
    this.options.log.info({ group, member: url, by }, 'member healthy again');
  }
}
