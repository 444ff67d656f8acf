import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryDelayMs, shouldRetry } from './retry.js';

describe('retry', () => {
  it('doubles the backoff for each re-run, within ±20 % jitter', () => {
    const mid = () => 0.5;
    expect(retryDelayMs(10, 1, mid)).toBe(10_000);
    expect(retryDelayMs(10, 2, mid)).toBe(20_000);
    expect(retryDelayMs(10, 3, mid)).toBe(40_000);
    expect(retryDelayMs(10, 1, () => 0)).toBe(8_000);
    expect(retryDelayMs(10, 1, () => 0.999_999)).toBe(12_000);
    expect(retryDelayMs(0.5, 1, mid)).toBe(500);
  });

  it('never waits longer than six hours', () => {
    expect(retryDelayMs(3600, 10, () => 0.999)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('re-runs failed and lost runs while retries are left, nothing else', () => {
    expect(shouldRetry('failed', 1)).toBe(true);
    expect(shouldRetry('lost', 2)).toBe(true);
    expect(shouldRetry('failed', 0)).toBe(false);
    for (const status of ['succeeded', 'cancelled', 'skipped', 'missed', 'pending', 'running'])
      expect(shouldRetry(status, 3)).toBe(false);
  });
});
