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
    const rng = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    for (let i = 0; i < 200; i++) {
      const order = memberOrder('random', members, rng);
      expect([...order].sort()).toEqual(members);
      firsts.add(order[0] as string);
    }
    expect(firsts.size).toBe(4);
  });

  it('does not change the group list', () => {
    const list = ['a', 'b'];
    memberOrder('random', list, () => 0);
    expect(list).toEqual(['a', 'b']);
  });
});
