import type { WorkerGroup } from '../domain/worker-group.js';
import type { Store } from '../store/store.js';

/** Worker groups in memory for the dispatcher's hot path; refreshed on every change. */
export class GroupCache {
  private readonly groups = new Map<string, WorkerGroup>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    const all = await this.store.groups.listAll();
    this.groups.clear();
    for (const g of all) this.groups.set(g.name, g);
  }

  get(name: string): WorkerGroup | undefined {
    return this.groups.get(name);
  }

  /** Re-reads one group (or forgets it when deleted). */
  async refresh(name: string): Promise<void> {
    const group = await this.store.groups.find(name);
    if (group) this.groups.set(name, group);
    else this.groups.delete(name);
  }
}
