import { describe, expect, it } from 'vitest';
import { delayToPhase } from './clock.js';

describe('delayToPhase', () => {
  const T = Date.parse('2027-01-01T00:00:00.000Z');

  it('aims at the half second, every interval, never at a whole second', () => {
    expect(delayToPhase(T, 1_000)).toBe(500);
    expect(delayToPhase(T + 499, 1_000)).toBe(1);
    expect(delayToPhase(T + 500, 1_000), 'exactly on phase: the next one').toBe(1_000);
    expect(delayToPhase(T + 501, 1_000)).toBe(999);
    expect(delayToPhase(T + 5_000, 5_000)).toBe(500);
    expect(delayToPhase(T + 1_000, 60_000)).toBe(59_500);
  });

  it('keeps short intervals off the whole second too', () => {
    // 200 ms: phase 500 % 200 = 100 → .100, .300, .500, .700, .900
    expect(delayToPhase(T, 200)).toBe(100);
    expect(delayToPhase(T + 150, 200)).toBe(150);
    for (let t = T; t < T + 2_000; t += 7) expect((t + delayToPhase(t, 200)) % 1_000).not.toBe(0);
  });

  it('is always within one interval', () => {
    for (let t = T - 3_000; t < T + 3_000; t += 13) {
      const d = delayToPhase(t, 1_000);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(1_000);
      expect((t + d) % 1_000).toBe(500);
    }
  });
});
