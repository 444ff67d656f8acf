import { describe, expect, it } from 'vitest';
import { afterFailedAttempt, deliveryGiveUpAt, roundBackoff } from './delivery.js';

const policy = { backoffMs: 1_000, backoffMaxMs: 60_000 };
const base = { triedInRound: 1, members: 3, round: 0, now: 10_000, giveUpAt: 1_000_000 };

describe('delivery guarantee', () => {
  it('once: one attempt in total, no failover', () => {
    expect(afterFailedAttempt({ ...base, delivery: 'once' }, policy).kind).toBe('give_up');
  });

  it('until_delivered: the other members first, then a backoff round', () => {
    expect(afterFailedAttempt({ ...base, delivery: 'until_delivered' }, policy)).toEqual({
      kind: 'next_member',
    });
    const step = afterFailedAttempt(
      { ...base, delivery: 'until_delivered', triedInRound: 3 },
      policy,
      () => 0.5,
    );
    expect(step).toEqual({ kind: 'retry_round', at: 10_000 + 750 });
  });

  it('gives up when the next round would start after the give-up time', () => {
    const step = afterFailedAttempt(
      { ...base, delivery: 'until_delivered', triedInRound: 3, giveUpAt: 10_400 },
      policy,
      () => 1,
    );
    expect(step.kind).toBe('give_up');
    expect(afterFailedAttempt({ ...base, delivery: 'until_delivered', now: 2_000_000 }, policy).kind).toBe(
      'give_up',
    );
  });

  it('backs off exponentially with equal jitter, capped', () => {
    expect(roundBackoff(0, policy, () => 0)).toBe(500);
    expect(roundBackoff(0, policy, () => 1)).toBe(1_000);
    expect(roundBackoff(3, policy, () => 1)).toBe(8_000);
    expect(roundBackoff(20, policy, () => 1)).toBe(60_000);
    expect(roundBackoff(200, policy, () => 0)).toBe(30_000);
  });

  it('stops at the earliest of next fire, deadline and 24 h', () => {
    expect(deliveryGiveUpAt(0, 5_000, 60_000)).toBe(5_000);
    expect(deliveryGiveUpAt(0, 500_000, 60_000)).toBe(60_000);
    expect(deliveryGiveUpAt(0, 10 * 86_400_000, null)).toBe(86_400_000);
  });
});
