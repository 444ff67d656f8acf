/** Which member(s) a delivery tries, and in which order (PROTOCOL.md §4 routing). */
import type { Routing } from './job.js';

/**
 * The order in which one delivery round tries the members: `first` keeps the
 * group's order (master, then standbys); `random` shuffles. `random()` is
 * injectable so tests are deterministic.
 */
export function memberOrder<T>(
  routing: Routing,
  members: readonly T[],
  random: () => number = Math.random,
): T[] {
  const order = [...members];
  if (routing === 'random') {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const a = order[i] as T;
      order[i] = order[j] as T;
      order[j] = a;
    }
  }
  return order;
}
