/**
 * The scheduler's timing queue: a binary min-heap of schedule groups ordered
 * by their next fire. Jobs that share a (cron, time zone) pair share one
 * entry, so the next fire is computed once per schedule, not once per job.
 */
import type { Schedule } from '../cron/schedule.js';

export interface ScheduleGroup {
  readonly key: string;
  readonly schedule: Schedule;
  /** Next fire (epoch ms), or null when the schedule never fires again. */
  next: number | null;
  /** Job ids in this group. */
  readonly jobs: Set<string>;
  /** Position in the heap; -1 when not queued. */
  heapIndex: number;
}

export class FireQueue {
  private readonly heap: ScheduleGroup[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): ScheduleGroup | undefined {
    return this.heap[0];
  }

  /** Adds a group, or moves it after its `next` changed. Groups with no next fire leave the queue. */
  upsert(group: ScheduleGroup): void {
    if (group.next === null) {
      this.remove(group);
      return;
    }
    if (group.heapIndex < 0) {
      group.heapIndex = this.heap.length;
      this.heap.push(group);
      this.up(group.heapIndex);
    } else {
      this.up(group.heapIndex);
      this.down(group.heapIndex);
    }
  }

  remove(group: ScheduleGroup): void {
    const i = group.heapIndex;
    if (i < 0) return;
    const last = this.heap.pop() as ScheduleGroup;
    group.heapIndex = -1;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.up(i);
      this.down(i);
    }
  }

  private less(a: ScheduleGroup, b: ScheduleGroup): boolean {
    return (a.next as number) < (b.next as number);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i] as ScheduleGroup;
    const b = this.heap[j] as ScheduleGroup;
    this.heap[i] = b;
    this.heap[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i] as ScheduleGroup, this.heap[parent] as ScheduleGroup)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < n && this.less(this.heap[l] as ScheduleGroup, this.heap[least] as ScheduleGroup)) least = l;
      if (r < n && this.less(this.heap[r] as ScheduleGroup, this.heap[least] as ScheduleGroup)) least = r;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }
}
