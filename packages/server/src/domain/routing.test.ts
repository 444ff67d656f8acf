import { describe, expect, it } from 'vitest';
import { memberOrder } from './routing.js';

describe('member order', () => {
  const members = ['a', 'b', 'c', 'd'];

  it('first keeps the group order (master, then standbys)', () => {
    expect(memberOrder('first', members)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('random is a permutation, and reaches every member first over many draws', () => {
    const firsts = new Set<string>();
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    for (let i = 0; i < 200; i++) {
      const order = memberOrder('random', members, { random });
      expect([...order].sort()).toEqual(members);
      firsts.add(order[0] as string);
    }
    expect(firsts.size).toBe(4);
  });

  it('round_robin starts at the position and wraps, so consecutive deliveries take turns', () => {
    expect(memberOrder('round_robin', members, { start: 0 })).toEqual(['a', 'b', 'c', 'd']);
    expect(memberOrder('round_robin', members, { start: 2 })).toEqual(['c', 'd', 'a', 'b']);
    expect(memberOrder('round_robin', members, { start: 5 })).toEqual(['b', 'c', 'd', 'a']);
    const firsts = [0, 1, 2, 3, 4].map((start) => memberOrder('round_robin', members, { start })[0]);
    expect(firsts).toEqual(['a', 'b', 'c', 'd', 'a']);
  });

  it('least_busy puts the fewest running runs first, ties in the group order', () => {
    const running = [3, 1, 1, 0];
    expect(memberOrder('least_busy', members, { busy: (i) => running[i] ?? 0 })).toEqual([
      'd',
      'b',
      'c',
      'a',
    ]);
    expect(memberOrder('least_busy', members, { busy: () => 2 })).toEqual(members);
  });

  it('moves unhealthy members behind healthy ones for every strategy, and still lists them', () => {
    const healthy = (i: number) => i !== 0 && i !== 2; // a and c are down
    expect(memberOrder('first', members, { healthy })).toEqual(['b', 'd', 'a', 'c']);
    expect(memberOrder('round_robin', members, { start: 2, healthy })).toEqual(['d', 'b', 'c', 'a']);
    expect(memberOrder('least_busy', members, { busy: (i) => 3 - i, healthy })).toEqual(['d', 'b', 'c', 'a']);
    const shuffled = memberOrder('random', members, { random: () => 0.5, healthy });
    expect(shuffled.slice(0, 2).sort()).toEqual(['b', 'd']);
    // None healthy: everyone is still tried, in routing order.
    expect(memberOrder('first', members, { healthy: () => false })).toEqual(members);
  });

  it('does not change the group list', () => {
    const list = ['a', 'b'];
    memberOrder('random', list, { random: () => 0 });
    expect(list).toEqual(['a', 'b']);
  });
});
