/**
 * The notification guarantee (PROTOCOL.md §4 delivery) as a pure decision:
 * after a failed attempt, what happens next.
 */
import type { Delivery } from './job.js';

export interface DeliveryPolicy {
  /** First wait between rounds, ms; doubles each round. */
  backoffMs: number;
  /** Longest wait between rounds, ms. */
  backoffMaxMs: number;
}

export interface FailedAttemptContext {
  delivery: Delivery;
  /** Members tried so far in the current round, including this one. */
  triedInRound: number;
  /** Members in the round. */
  members: number;
  /** Completed rounds before this one (0 in the first round). */
  round: number;
  now: number;
  /** The earliest of the next fire, the deadline and firedAt + 24 h. */
  giveUpAt: number;
}

export type NextStep =
  | { kind: 'next_member' }
  | { kind: 'retry_round'; at: number }
  | { kind: 'give_up'; message: string };

/** The wait before round `round + 1`: exponential with "equal jitter" (half fixed, half random). */
export function roundBackoff(
  round: number,
  policy: DeliveryPolicy,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.backoffMaxMs, policy.backoffMs * 2 ** Math.min(round, 30));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export function afterFailedAttempt(
  ctx: FailedAttemptContext,
  policy: DeliveryPolicy,
  random: () => number = Math.random,
): NextStep {
  if (ctx.delivery === 'once') return { kind: 'give_up', message: 'not delivered: the only attempt failed' };
  if (ctx.now >= ctx.giveUpAt)
    return { kind: 'give_up', message: 'not delivered: no member accepted in time' };
  if (ctx.triedInRound < ctx.members) return { kind: 'next_member' };
  const at = ctx.now + roundBackoff(ctx.round, policy, random);
  if (at >= ctx.giveUpAt) return { kind: 'give_up', message: 'not delivered: no member accepted in time' };
  return { kind: 'retry_round', at };
}

/** Deliveries stop by the earliest of the next fire, the deadline and 24 h after the first attempt. */
export function deliveryGiveUpAt(firedAt: number, deadlineAt: number, nextFireAt: number | null): number {
  return Math.min(firedAt + 86_400_000, deadlineAt, nextFireAt ?? Number.POSITIVE_INFINITY);
}
