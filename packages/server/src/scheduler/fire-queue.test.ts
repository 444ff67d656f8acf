import { describe, expect, it } from 'vitest';
import type { Schedule } from '../cron/schedule.js';
import { FireQueue, type ScheduleGroup } from './fire-queue.js';

const schedule: Schedule = { cron: '* * * * * *', timezone: 'UTC', nextAfter: (ms) => ms + 1000 };
const group = (key: string, next: number | null): ScheduleGroup => ({
  key,
  schedule,
  next,
  jobs: new Set(),
  heapIndex: -1,
});

describe('fire queue', () => {
  it('always yields the earliest next fire, through updates and removals', () => {
    const q = new FireQueue();
    const groups = Array.from({ length: 200 }, (_, i) => group(`g${i}`, ((i * 7919) % 1000) * 10));
    for (const g of groups) q.upsert(g);
    const removed = new Set(groups.filter((_, i) => i % 3 === 0));
    for (const g of removed) q.remove(g);
    for (const [i, g] of groups.entries()) {
      if (i % 5 === 0 && !removed.has(g)) {
        g.next = (g.next as number) + 5_000;
        q.upsert(g);
      }
    }
    const order: number[] = [];
    for (let head = q.peek(); head; head = q.peek()) {
      order.push(head.next as number);
      q.remove(head);
    }
    expect(order).toHaveLength(200 - removed.size);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('drops a group whose schedule never fires again', () => {
    const q = new FireQueue();
    const g = group('g', 1);
    q.upsert(g);
    g.next = null;
    q.upsert(g);
    expect(q.size).toBe(0);
    expect(g.heapIndex).toBe(-1);
  });
});
