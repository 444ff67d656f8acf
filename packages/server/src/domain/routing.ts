/** Which member(s) a delivery tries, and in which order (PROTOCOL.md §4 routing). */
import type { Routing } from './job.js';

export interface RoutingState {
  /** Uniform in [0, 1): `random`'s shuffle. Injectable so tests are deterministic. */
  random?: () => number;
  /** `round_robin`: the position this delivery starts from (any integer; taken modulo the count). */
  start?: number;
  /** `least_busy`: running runs on a member. */
  busy?: (member: number) => number;
  /** Health: unhealthy members go last, in the order routing gave them. */
  healthy?: (member: number) => boolean;
}

/**
 * The order in which one delivery round tries the members (each member is
 * tried at most once per round; failover walks this list):
 * - `first`: the group's order (master, then standbys);
 * - `random`: a shuffle;
 * - `round_robin`: the group's order rotated to `start`, so consecutive
 *   deliveries begin at consecutive members;
 * - `least_busy`: fewest running runs first, ties in the group's order;
 * - `broadcast` is not an order (every member gets its own shard): it answers
 *   the group's order.
 * Unhealthy members then move behind the healthy ones (keeping their
 * relative order), so they are tried only when no healthy member is left.
 */
export function memberOrder<T>(routing: Routing, members: readonly T[], state: RoutingState = {}): T[] {
  const n = members.length;
  let idx = Array.from({ length: n }, (_, i) => i);
  if (routing === 'random') {
    const random = state.random ?? Math.random;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const a = idx[i] as number;
      idx[i] = idx[j] as number;
      idx[j] = a;
    }
  } else if (routing === 'round_robin' && n > 0) {
    const start = (((state.start ?? 0) % n) + n) % n;
    idx = [...idx.slice(start), ...idx.slice(0, start)];
  } else if (routing === 'least_busy' && state.busy) {
    const busy = state.busy;
    const load = idx.map((i) => busy(i));
    // Array.prototype.sort is stable: ties keep the group's order.
    idx.sort((a, b) => (load[a] as number) - (load[b] as number));
  }
  if (state.healthy) {
    const healthy = state.healthy;
    const up = idx.filter((i) => healthy(i));
    if (up.length < n) idx = [...up, ...idx.filter((i) => !healthy(i))];
  }
  return idx.map((i) => members[i] as T);
}
