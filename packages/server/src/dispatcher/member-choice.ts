/**
 * The state routing needs beyond the group itself: round-robin positions
 * (per job, kept in memory and saved with each batch of deliveries, so
 * they survive a restart without a write per fire) and members' running
 * runs for least_busy (counted in the store at each choice, plus the
 * triggers this node has in flight).
 */
import type { Job } from '../domain/job.js';
import { memberOrder } from '../domain/routing.js';
import type { Member } from '../domain/worker-group.js';
import type { RoutingRepo } from '../store/routing-repo.js';
import type { MemberHealth } from './member-health.js';

export class MemberChoice {
  private positions: Map<string, number> | null = null;
  private loading: Promise<Map<string, number>> | null = null;
  private readonly dirty = new Map<string, number>();
  /** Triggers sent and not answered yet, per member URL. */
  private readonly inFlight = new Map<string, number>();
  /** Asynchronous acceptances not yet written to the store, per member URL. */
  private readonly accepted = new Map<string, number>();

  constructor(
    private readonly repo: RoutingRepo,
    private readonly health: MemberHealth,
  ) {}

  /** The members in the order this delivery round tries them. */
  async order(job: Job, group: string | null, members: readonly Member[]): Promise<Member[]> {
    const healthy =
      group === null ? undefined : (i: number) => this.health.isHealthy(group, (members[i] as Member).url);
    switch (job.routing) {
      case 'round_robin': {
        const positions = this.positions ?? (await this.load());
        const start = positions.get(job.id) ?? 0;
        positions.set(job.id, start + 1);
        this.dirty.set(job.id, start + 1);
        return memberOrder('round_robin', members, { start, ...(healthy ? { healthy } : {}) });
      }
      case 'least_busy': {
        const counts = await this.repo.runningByMember(members.map((m) => m.url));
        const busy = (i: number) => {
          const url = (members[i] as Member).url;
          return (counts.get(url) ?? 0) + (this.inFlight.get(url) ?? 0) + (this.accepted.get(url) ?? 0);
        };
        return memberOrder('least_busy', members, { busy, ...(healthy ? { healthy } : {}) });
      }
      default:
        return memberOrder(job.routing, members, healthy ? { healthy } : {});
    }
  }

  /** A trigger to `url` is in flight (least_busy counts it until its answer). */
  sent(url: string): void {
    this.inFlight.set(url, (this.inFlight.get(url) ?? 0) + 1);
  }

  /** Its answer came; `running` if the member accepted it asynchronously. */
  answered(url: string, running: boolean): void {
    const left = (this.inFlight.get(url) ?? 1) - 1;
    if (left > 0) this.inFlight.set(url, left);
    else this.inFlight.delete(url);
    if (running) this.accepted.set(url, (this.accepted.get(url) ?? 0) + 1);
  }

  /** An acceptance on `url` is now in the store, where the running count sees it. */
  written(url: string): void {
    const left = (this.accepted.get(url) ?? 1) - 1;
    if (left > 0) this.accepted.set(url, left);
    else this.accepted.delete(url);
  }

  /** Positions changed since the last call (to save with the next batch of deliveries). */
  takeDirtyPositions(): Map<string, number> {
    const out = new Map(this.dirty);
    this.dirty.clear();
    return out;
  }

  private load(): Promise<Map<string, number>> {
    this.loading ??= this.repo.positions().then((p) => {
      this.positions = p;
      return p;
    });
    return this.loading;
  }
}
