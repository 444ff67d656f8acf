/** Worker-group management: the operations behind the worker-groups API, heartbeats included. */
import type { GroupInput, HeartbeatInput } from '../api/schemas.js';
import type { MemberStatus } from '../api/views.js';
import type { Clock } from '../clock.js';
import { DEFAULT_TEAM } from '../domain/user.js';
import type { GroupMember, MemberProbe, WorkerGroup } from '../domain/worker-group.js';
import { ApiError, invalid } from '../errors.js';
import { newId, newSecret } from '../ids.js';
import type { MemberHealthState } from '../monitor/member-health.js';
import type { Store } from '../store/store.js';
import type { GroupCache } from './group-cache.js';

/** Defaults of a `probe` given without them. */
export const PROBE_DEFAULTS = { path: '/healthz', intervalSec: 10 } as const;

/** A member URL as stored: trailing slashes dropped, checked to parse. */
function memberUrl(url: string, field: string): string {
  const trimmed = url.replace(/\/+$/, '');
  try {
    new URL(trimmed);
  } catch {
    throw invalid(field, `not a valid URL: ${JSON.stringify(url)}`);
  }
  return trimmed;
}

function staticMembers(input: GroupInput): GroupMember[] {
  const seen = new Set<string>();
  return (input.members ?? []).map((m, i) => {
    const url = memberUrl(m.url, `members.${i}.url`);
    if (seen.has(url)) throw invalid(`members.${i}.url`, `listed twice: ${url}`);
    seen.add(url);
    return { url, name: m.name ?? null, dynamic: false, lastSeenAt: null };
  });
}

function probe(input: GroupInput): MemberProbe | null {
  if (!input.probe) return null;
  const intervalSec = input.probe.intervalSec ?? PROBE_DEFAULTS.intervalSec;
  return { path: input.probe.path ?? PROBE_DEFAULTS.path, intervalMs: Math.round(intervalSec * 1000) };
}

/** A heartbeat as recorded: whether the URL is a dynamic member and until when it stays one. */
export interface HeartbeatReceipt {
  url: string;
  dynamic: boolean;
  lastSeenAt: number;
  /** Null for a static member, which never expires. */
  expiresAt: number | null;
}

export class GroupManager {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly cache: GroupCache,
    private readonly health: { stateOf(group: string, url: string): MemberHealthState },
  ) {}

  /** The group with its static and live dynamic members. */
  async get(name: string): Promise<WorkerGroup> {
    const group = await this.store.groups.find(name, { dynamicSeenSince: this.cache.liveSince() });
    if (!group) throw new ApiError('group_not_found', `no worker group named "${name}"`);
    return group;
  }

  /** A page of groups by name, of `teams` only (null: every group). */
  async list(limit: number, cursor: string | undefined, teams: readonly string[] | null) {
    const page = await this.store.groups.list(limit, cursor, {
      dynamicSeenSince: this.cache.liveSince(),
      teams,
    });
    if (page === 'bad_cursor')
      throw new ApiError('invalid_cursor', 'cursor: not a cursor of this list', 'cursor');
    return page;
  }

  /** Health and running runs of the groups' members: one load query for all of them. */
  async memberStatuses(
    groups: readonly WorkerGroup[],
  ): Promise<(group: string, url: string) => MemberStatus> {
    const running = await this.store.members.runningCounts(
      groups.flatMap((g) => g.members.map((m) => m.url)),
    );
    return (group, url) => {
      const health = this.health.stateOf(group, url);
      return {
        healthy: health.healthy,
        lastError: health.lastError,
        lastErrorAt: health.lastErrorAt,
        runningCount: running.get(url) ?? 0,
      };
    };
  }

  async create(input: GroupInput): Promise<WorkerGroup> {
    const now = this.clock.now();
    const group: WorkerGroup = {
      id: newId(now),
      name: input.name,
      team: input.team ?? DEFAULT_TEAM,
      description: input.description ?? '',
      secret: input.secret ?? newSecret(),
      members: staticMembers(input),
      probe: probe(input),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.store.groups.insert(group);
    } catch (err) {
      if (this.store.dialect.isUniqueViolation(err)) throw duplicateName(group.name);
      throw err;
    }
    await this.cache.refresh(group.name);
    return this.get(group.name);
  }

  /**
   * Replaces name, team, description, probe and the static members; dynamic
   * members stay. Jobs refer to groups by name, so a group that jobs target
   * keeps its name (409 group_rename_in_use).
   */
  async replace(name: string, input: GroupInput): Promise<WorkerGroup> {
    const current = await this.get(name);
    if (input.secret !== undefined) throw invalid('secret', 'use the rotate call to change the secret');
    const renamed = input.name !== current.name;
    if (renamed) await this.refuseRenameInUse(current.name, input.name);
    const group: WorkerGroup = {
      ...current,
      name: input.name,
      team: input.team ?? DEFAULT_TEAM,
      description: input.description ?? '',
      members: staticMembers(input),
      probe: probe(input),
      updatedAt: this.clock.now(),
    };
    let outcome: Awaited<ReturnType<Store['groups']['replace']>>;
    try {
      outcome = await this.store.groups.replace(group, current.name);
    } catch (err) {
      if (this.store.dialect.isUniqueViolation(err)) throw duplicateName(group.name);
      throw err;
    }
    // A job created since the check above now targets the old name.
    if (outcome === 'in_use') await this.refuseRenameInUse(current.name, input.name, 1);
    if (outcome === 'not_found') throw new ApiError('group_not_found', `no worker group named "${name}"`);
    await this.cache.refresh(current.name);
    if (renamed) await this.cache.refresh(group.name);
    return this.get(group.name);
  }

  async delete(name: string): Promise<void> {
    const group = await this.get(name);
    await this.refuseDeleteInUse(name);
    if ((await this.store.groups.delete(group.id, name)) === 'in_use') await this.refuseDeleteInUse(name, 1);
    await this.cache.refresh(name);
  }

  async rotateSecret(name: string): Promise<WorkerGroup> {
    const group = await this.get(name);
    const secret = newSecret();
    await this.store.groups.setSecret(group.id, secret, this.clock.now());
    await this.cache.refresh(name);
    return { ...group, secret };
  }

  /** The group's id and signing secret, to check a heartbeat's signature. */
  async signingKey(name: string): Promise<{ id: string; secret: string }> {
    const key = await this.store.groups.signingKey(name);
    if (!key) throw new ApiError('group_not_found', `no worker group named "${name}"`);
    return key;
  }

  /**
   * Records a (signed) heartbeat: an unknown URL joins the group as a dynamic
   * member, a known one is marked seen. The dispatcher's cache is re-read
   * only when membership or the member's name changed.
   */
  async heartbeat(group: { id: string; name: string }, input: HeartbeatInput): Promise<HeartbeatReceipt> {
    const url = memberUrl(input.url, 'url');
    const name = input.name ?? null;
    const now = this.clock.now();
    const { dynamic } = await this.store.members.recordHeartbeat(
      group.id,
      { url, name },
      now,
      this.cache.liveSince(),
    );
    if (!this.cache.hasMember(group.name, url, dynamic ? name : null)) await this.cache.refresh(group.name);
    return { url, dynamic, lastSeenAt: now, expiresAt: dynamic ? now + this.cache.memberExpiryMs : null };
  }

  /** Throws 409 group_rename_in_use when jobs target the group; `atLeast` after a lost race. */
  private async refuseRenameInUse(name: string, to: string, atLeast = 0): Promise<void> {
    const users = Math.max(atLeast, await this.store.jobs.countUsingGroup(name));
    if (users === 0) return;
    throw new ApiError(
      'group_rename_in_use',
      `worker group "${name}" cannot be renamed to "${to}": ${users} job(s) target it; move them to another group first, or create "${to}" and move them there`,
      'name',
    );
  }

  private async refuseDeleteInUse(name: string, atLeast = 0): Promise<void> {
    const users = Math.max(atLeast, await this.store.jobs.countUsingGroup(name));
    if (users === 0) return;
    throw new ApiError(
      'group_in_use',
      `worker group "${name}" is the target of ${users} job(s): move or delete them first`,
    );
  }
}

function duplicateName(name: string): ApiError {
  return new ApiError('duplicate_name', `a worker group named "${name}" already exists`, 'name');
}
