/**
 * The world the authorization tests act on: team A (`alpha`) with a group,
 * jobs and runs, team B (`bravo`) with its own, and one logged-in console
 * session per role (admin; owner, editor, operator, viewer of team A; a
 * viewer of team B only; a user with no role; anonymous).
 */
import { expect } from 'vitest';
import { anonymous, createMember, createTeam, login } from './accounts.js';
import type { Api, TestCenter } from './center.js';
import { waitFor } from './wait.js';

export const A = 'alpha';
export const B = 'bravo';
export const GROUP_A = 'alpha-workers';
export const GROUP_B = 'bravo-workers';
/** Nothing listens on the discard port: deliveries there fail at once. */
export const DEAD_MEMBER = [{ url: 'http://127.0.0.1:9' }];
export const YEARLY = { cron: '0 0 1 1 *' };

export const ROLES = [
  'admin',
  'owner',
  'editor',
  'operator',
  'viewer',
  'viewer of B only',
  'no role',
  'anonymous',
] as const;
export type RoleName = (typeof ROLES)[number];

/** Each role's user: name and roles per team. */
export const USERS: Record<
  Exclude<RoleName, 'anonymous'>,
  { name: string; admin?: boolean; team?: string }
> = {
  admin: { name: 'root', admin: true },
  owner: { name: 'own-a', team: A },
  editor: { name: 'edit-a', team: A },
  operator: { name: 'op-a', team: A },
  viewer: { name: 'view-a', team: A },
  'viewer of B only': { name: 'view-b', team: B },
  'no role': { name: 'loner' },
};
/** The user rows act on (profile, password, membership); no role of the matrix. */
export const SPARE = 'spare';

export interface Target {
  job: { id: string; name: string };
  urlJob: string;
  run: string;
  broadcastRun: string;
  /** Unique names for things a row creates. */
  fresh(prefix: string): string;
  /** Admin-made things that a row may delete or change. */
  newJob(): Promise<string>;
  newGroup(): Promise<string>;
  newTeam(): Promise<string>;
  newPendingRun(): Promise<string>;
  newAdminToken(): Promise<string>;
  /** A second session of the role's user (for logout). */
  newSession(role: RoleName): Promise<Api>;
  admin: Api;
}

export const jobSpec = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  team: A,
  schedule: YEARLY,
  target: { group: GROUP_A, path: '/x' },
  ...extra,
});
export const groupSpec = (name: string) => ({ name, team: A, members: DEAD_MEMBER });

/** Creates both teams, their users, groups, jobs and runs; answers each role's client and team A's targets. */
export async function setUpTeams(
  tc: TestCenter,
): Promise<{ clients: Record<RoleName, Api>; target: Target }> {
  const clients = {} as Record<RoleName, Api>;
  const admin = tc.api;
  await createTeam(tc, A);
  await createTeam(tc, B);
  for (const [role, user] of Object.entries(USERS)) {
    const roles = user.team ? { [user.team]: role === 'viewer of B only' ? 'viewer' : role } : {};
    await createMember(tc, user.name, roles as never, { admin: user.admin ?? false });
  }
  await createMember(tc, SPARE);
  for (const role of ROLES) {
    clients[role] = role === 'anonymous' ? anonymous(tc) : (await login(tc, USERS[role].name)).api;
  }

  const created = async (path: string, body: unknown) => {
    const res = await admin<{ id: string; name: string }>('POST', path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(path.endsWith('/trigger') ? 202 : 201);
    return res.body;
  };
  await created('/api/v1/worker-groups', groupSpec(GROUP_A));
  await created('/api/v1/worker-groups', { name: GROUP_B, team: B, members: DEAD_MEMBER });
  const job = await created('/api/v1/jobs', jobSpec('alpha.sweep'));
  await created('/api/v1/jobs', jobSpec('alpha.hook', { target: { url: 'http://127.0.0.1:9/hook' } }));
  await created('/api/v1/jobs', jobSpec('alpha.pending', { delivery: 'until_delivered' }));
  await created('/api/v1/jobs', jobSpec('alpha.fanout', { routing: 'broadcast' }));
  await created('/api/v1/jobs', {
    name: 'bravo.sweep',
    team: B,
    schedule: YEARLY,
    target: { group: GROUP_B, path: '/x' },
  });
  const run = await created('/api/v1/jobs/alpha.sweep/trigger', {});
  const broadcast = await created('/api/v1/jobs/alpha.fanout/trigger', {});
  const runB = await created('/api/v1/jobs/bravo.sweep/trigger', {});
  for (const id of [run.id, runB.id, broadcast.id]) {
    await waitFor(async () => {
      const r = await admin<{ status: string; shards: unknown[] }>('GET', `/api/v1/runs/${id}`);
      return r.body.status === 'failed' && (id !== broadcast.id || r.body.shards.length === 1);
    }, `run ${id} to fail`);
  }

  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}`;
  const target: Target = {
    job: { id: job.id, name: job.name },
    urlJob: 'alpha.hook',
    run: run.id,
    broadcastRun: broadcast.id,
    fresh,
    admin,
    newJob: async () => (await created('/api/v1/jobs', jobSpec(fresh('alpha.job')))).name,
    newGroup: async () => (await created('/api/v1/worker-groups', groupSpec(fresh('alpha-group')))).name,
    newTeam: async () => (await created('/api/v1/teams', { name: fresh('empty-team') })).name,
    newPendingRun: async () => (await created('/api/v1/jobs/alpha.pending/trigger', {})).id,
    newAdminToken: async () => (await created('/api/v1/tokens', { name: fresh('admin-token') })).id,
    newSession: async (role) => (await login(tc, USERS[role as Exclude<RoleName, 'anonymous'>].name)).api,
  };
  return { clients, target };
}
