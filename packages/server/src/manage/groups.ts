/** Worker-group management: the operations behind the worker-groups API. */
import type { GroupInput } from '../api/schemas.js';
import type { Clock } from '../clock.js';
import type { WorkerGroup } from '../domain/worker-group.js';
import { ApiError, invalid } from '../errors.js';
import { newId, newSecret } from '../ids.js';
import type { Store } from '../store/store.js';
import type { GroupCache } from './group-cache.js';

function members(input: GroupInput): WorkerGroup['members'] {
  const list = (input.members ?? []).map((m) => ({ url: m.url.replace(/\/+$/, ''), name: m.name ?? null }));
  const seen = new Set<string>();
  list.forEach((m, i) => {
    try {
      new URL(m.url);
    } catch {
      throw invalid(`members.${i}.url`, `not a valid URL: ${JSON.stringify(m.url)}`);
    }
    if (seen.has(m.url)) throw invalid(`members.${i}.url`, `listed twice: ${m.url}`);
    seen.add(m.url);
  });
  return list;
}

export class GroupManager {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly cache: GroupCache,
  ) {}

  async get(name: string): Promise<WorkerGroup> {
    const group = await this.store.groups.find(name);
    if (!group) throw new ApiError('group_not_found', `no worker group named "${name}"`);
    return group;
  }

  async create(input: GroupInput): Promise<WorkerGroup> {
    const now = this.clock.now();
    const group: WorkerGroup = {
      id: newId(now),
      name: input.name,
      team: input.team ?? null,
      description: input.description ?? '',
      secret: input.secret ?? newSecret(),
      members: members(input),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.store.groups.insert(group);
    } catch (err) {
      if (this.store.dialect.isUniqueViolation(err)) {
        throw new ApiError('duplicate_name', `a worker group named "${group.name}" already exists`, 'name');
      }
      throw err;
    }
    await this.cache.refresh(group.name);
    return group;
  }

  /** Replaces team, description and members. Renaming is refused: jobs refer to groups by name. */
  async replace(name: string, input: GroupInput): Promise<WorkerGroup> {
    const current = await this.get(name);
    if (input.name !== current.name) {
      throw invalid(
        'name',
        `renaming a worker group is not possible ("${current.name}" → "${input.name}"): create a new group and move the jobs`,
      );
    }
    if (input.secret !== undefined) throw invalid('secret', 'use the rotate call to change the secret');
    const group: WorkerGroup = {
      ...current,
      team: input.team ?? null,
      description: input.description ?? '',
      members: members(input),
      updatedAt: this.clock.now(),
    };
    await this.store.groups.replace(group);
    await this.cache.refresh(group.name);
    return group;
  }

  async delete(name: string): Promise<void> {
    const group = await this.get(name);
    const users = await this.store.jobs.countUsingGroup(name);
    if (users > 0) {
      throw new ApiError(
        'group_in_use',
        `worker group "${name}" is the target of ${users} job(s): move or delete them first`,
      );
    }
    await this.store.groups.delete(group.id);
    await this.cache.refresh(name);
  }

  async rotateSecret(name: string): Promise<WorkerGroup> {
    const group = await this.get(name);
    const secret = newSecret();
    await this.store.groups.setSecret(group.id, secret, this.clock.now());
    await this.cache.refresh(name);
    return { ...group, secret };
  }
}
