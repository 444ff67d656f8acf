import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemberHealthMonitor } from './member-health.js';

const A = 'http://a:1';
const B = 'http://b:1';

function monitor(failureThreshold = 3) {
  let now = 1_000;
  const health = new MemberHealthMonitor({
    clock: { now: () => now },
    log: pino({ level: 'silent' }),
    failureThreshold,
  });
  return { health, tick: (ms: number) => (now += ms) };
}

describe('member health', () => {
  it('treats a member never reported on as healthy, without an error', () => {
    const { health } = monitor();
    expect(health.isHealthy('g', A)).toBe(true);
    expect(health.stateOf('g', A)).toEqual({
      healthy: true,
      consecutiveFailures: 0,
      lastError: null,
      lastErrorAt: null,
    });
  });

  it('turns unhealthy after the threshold of consecutive failed deliveries, per group and member', () => {
    const { health, tick } = monitor(3);
    health.deliveryFailed('g', A, 'ECONNREFUSED');
    tick(10);
    health.deliveryFailed('g', A, 'HTTP 500: oops');
    expect(health.isHealthy('g', A), 'two failures: still healthy').toBe(true);
    tick(10);
    health.deliveryFailed('g', A, 'connect timeout after 3000 ms');
    expect(health.isHealthy('g', A)).toBe(false);
    expect(health.stateOf('g', A)).toMatchObject({
      consecutiveFailures: 3,
      lastError: 'connect timeout after 3000 ms',
      lastErrorAt: 1_020,
    });
    expect(health.isHealthy('g', B), 'another member').toBe(true);
    expect(health.isHealthy('other', A), 'the same URL in another group').toBe(true);
  });

  it('a success in between restarts the count; a success recovers and keeps the last error', () => {
    const { health } = monitor(2);
    health.deliveryFailed('g', A, 'e1');
    health.deliverySucceeded('g', A);
    health.deliveryFailed('g', A, 'e2');
    expect(health.isHealthy('g', A)).toBe(true);
    health.deliveryFailed('g', A, 'e3');
    expect(health.isHealthy('g', A)).toBe(false);
    health.deliverySucceeded('g', A);
    expect(health.stateOf('g', A)).toMatchObject({ healthy: true, consecutiveFailures: 0, lastError: 'e3' });
  });

  it('a lost run or a failed probe makes a member unhealthy at once; a good probe recovers it', () => {
    const { health } = monitor(3);
    health.runLost('g', A, 'run R: no result before the deadline');
    expect(health.stateOf('g', A)).toMatchObject({
      healthy: false,
      lastError: 'run R: no result before the deadline',
    });
    health.probeSucceeded('g', A);
    expect(health.isHealthy('g', A)).toBe(true);
    health.probeFailed('g', B, 'HTTP 503');
    expect(health.stateOf('g', B)).toMatchObject({ healthy: false, lastError: 'probe: HTTP 503' });
    health.deliverySucceeded('g', B);
    expect(health.isHealthy('g', B), 'a delivery is evidence too').toBe(true);
  });

  it('forgets members that left', () => {
    const { health } = monitor(1);
    health.deliveryFailed('g', A, 'x');
    health.deliveryFailed('g', B, 'x');
    health.forgetMissing((_group, url) => url === B);
    expect(health.stateOf('g', A).lastError).toBeNull();
    expect(health.isHealthy('g', B)).toBe(false);
  });
});
