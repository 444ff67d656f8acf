/**
 * The authorization matrix's table: for each operation of the API, what a
 * call on team A's things looks like, who may make it, and what everyone
 * else must get instead.
 */
import { expect } from 'vitest';
import { PASSWORD } from './accounts.js';
import { A, GROUP_A, groupSpec, jobSpec, type RoleName, SPARE, type Target } from './authz-fixture.js';
import type { Api } from './center.js';

/** The rank of each role in team A; absent: no role there. */
const RANK_IN_A: Partial<Record<RoleName, number>> = { viewer: 0, operator: 1, editor: 2, owner: 3 };
const NEED_RANK = { read: 0, operate: 1, edit: 2, own: 3 } as const;

type Need = 'public' | 'any' | 'admin' | keyof typeof NEED_RANK;
export type Answer = readonly [status: number, code: string];

export interface Request {
  path: string;
  body?: unknown;
  /** Another client than the role's session (logout). */
  as?: Api;
  /** Checks after the call: a denied change changed nothing. */
  check?: (allowed: boolean) => Promise<void>;
  /** Tidies after the call (a run left open). */
  cleanup?: () => Promise<void>;
}

export interface Row {
  /** As in the OpenAPI document: `GET /api/v1/jobs/{job}`. */
  op: string;
  label?: string;
  /** Who may; absent for the exempt operations, which answer `everyone`. */
  need?: Need;
  /** The status of an allowed call. */
  ok?: number;
  /** The answer to a caller with no role in team A (team operations). */
  hidden?: Answer;
  /** The answer to a non-admin on an admin operation, when not 403 forbidden. */
  notAdmin?: Answer;
  /** Exempt operations: the answer to every caller, logged in or not. */
  everyone?: Answer;
  request(t: Target, role: RoleName): Request | Promise<Request>;
}

const JOB_404: Answer = [404, 'job_not_found'];
const RUN_404: Answer = [404, 'run_not_found'];
const GROUP_404: Answer = [404, 'group_not_found'];
const TEAM_404: Answer = [404, 'team_not_found'];
export const FORBIDDEN: Answer = [403, 'forbidden'];

/** A generic webhook channel pointing at a closed port. */
const HOOK = { config: { url: 'http://127.0.0.1:9/hook' }, secret: { secret: 'hook-secret-0123456789' } };
const WINDOW = {
  startsAt: '2030-01-01T00:00:00.000Z',
  endsAt: '2030-01-01T01:00:00.000Z',
  reason: 'matrix',
};

async function newChannel(t: Target): Promise<string> {
  const name = t.fresh('hook');
  const res = await t.admin('POST', '/api/v1/alert-channels', { name, type: 'webhook', ...HOOK });
  expect(res.status).toBe(201);
  return name;
}

async function exists(api: Api, path: string): Promise<boolean> {
  return (await api('GET', path)).status === 200;
}
export const ROWS: Row[] = [
  // Exempt: health, login, worker heartbeats (group signature) and callbacks (run token).
  { op: 'GET /api/v1/healthz', need: 'public', ok: 200, request: () => ({ path: '/api/v1/healthz' }) },
  {
    op: 'POST /api/v1/auth/login',
    everyone: [200, ''],
    request: () => ({ path: '/api/v1/auth/login', body: { username: SPARE, password: PASSWORD } }),
  },
  {
    op: 'POST /api/v1/worker-groups/{name}/heartbeat',
    label: 'a session is no signature',
    everyone: [401, 'signature_missing'],
    request: () => ({
      path: `/api/v1/worker-groups/${GROUP_A}/heartbeat`,
      body: { url: 'http://127.0.0.1:9' },
    }),
  },
  ...(['progress', 'result'] as const).flatMap((kind): Row[] => {
    const body = kind === 'progress' ? { progress: 10 } : { status: 'succeeded' };
    return [
      {
        op: `POST /api/v1/callbacks/{runId}/${kind}`,
        label: 'a session is no run token',
        everyone: [401, 'unauthorized'],
        request: (t) => ({ path: `/api/v1/callbacks/${t.run}/${kind}`, body }),
      },
      {
        op: `POST /api/v1/callbacks/{runId}/shards/{index}/${kind}`,
        label: 'a session is no shard token',
        everyone: [401, 'unauthorized'],
        request: (t) => ({ path: `/api/v1/callbacks/${t.broadcastRun}/shards/0/${kind}`, body }),
      },
    ];
  }),

  // Anyone logged in.
  {
    op: 'POST /api/v1/auth/logout',
    need: 'any',
    ok: 204,
    request: async (t, role) => ({
      path: '/api/v1/auth/logout',
      ...(role === 'anonymous' ? {} : { as: await t.newSession(role) }),
    }),
  },
  { op: 'GET /api/v1/auth/me', need: 'any', ok: 200, request: () => ({ path: '/api/v1/auth/me' }) },
  { op: 'GET /api/v1/overview', need: 'any', ok: 200, request: () => ({ path: '/api/v1/overview' }) },
  // A stream: the client reads the status and leaves; what each reader hears is in events.test.ts.
  { op: 'GET /api/v1/events', need: 'any', ok: 200, request: () => ({ path: '/api/v1/events' }) },
  {
    op: 'POST /api/v1/cron/preview',
    need: 'any',
    ok: 200,
    request: () => ({ path: '/api/v1/cron/preview', body: { cron: '0 9 * * 1', count: 2 } }),
  },
  { op: 'GET /api/v1/jobs', need: 'any', ok: 200, request: () => ({ path: '/api/v1/jobs' }) },
  {
    op: 'GET /api/v1/worker-groups',
    need: 'any',
    ok: 200,
    request: () => ({ path: '/api/v1/worker-groups' }),
  },
  { op: 'GET /api/v1/users', need: 'any', ok: 200, request: () => ({ path: '/api/v1/users' }) },
  {
    op: 'GET /api/v1/users/{user}',
    need: 'any',
    ok: 200,
    request: () => ({ path: `/api/v1/users/${SPARE}` }),
  },
  { op: 'GET /api/v1/teams', need: 'any', ok: 200, request: () => ({ path: '/api/v1/teams' }) },
  { op: 'GET /api/v1/tokens', need: 'any', ok: 200, request: () => ({ path: '/api/v1/tokens' }) },
  {
    op: 'POST /api/v1/tokens',
    need: 'any',
    ok: 201,
    request: (t) => ({ path: '/api/v1/tokens', body: { name: t.fresh('token') } }),
  },
  { op: 'GET /api/v1/audit', need: 'any', ok: 200, request: () => ({ path: '/api/v1/audit' }) },

  // Team A's jobs.
  {
    op: 'POST /api/v1/jobs',
    need: 'edit',
    ok: 201,
    hidden: FORBIDDEN,
    request: (t) => ({ path: '/api/v1/jobs', body: jobSpec(t.fresh('alpha.new')) }),
  },
  {
    op: 'GET /api/v1/jobs/{job}',
    label: 'by name',
    need: 'read',
    ok: 200,
    hidden: JOB_404,
    request: (t) => ({ path: `/api/v1/jobs/${t.job.name}` }),
  },
  {
    op: 'GET /api/v1/jobs/{job}',
    label: 'by id',
    need: 'read',
    ok: 200,
    hidden: JOB_404,
    request: (t) => ({ path: `/api/v1/jobs/${t.job.id}` }),
  },
  {
    op: 'PUT /api/v1/jobs/{job}',
    need: 'edit',
    ok: 200,
    hidden: JOB_404,
    request: async (t) => {
      const name = await t.newJob();
      return { path: `/api/v1/jobs/${name}`, body: jobSpec(name, { description: 'changed' }) };
    },
  },
  {
    op: 'DELETE /api/v1/jobs/{job}',
    need: 'edit',
    ok: 204,
    hidden: JOB_404,
    request: async (t) => {
      const path = `/api/v1/jobs/${await t.newJob()}`;
      return { path, check: async (allowed) => expect(await exists(t.admin, path)).toBe(!allowed) };
    },
  },
  ...(['pause', 'resume', 'trigger'] as const).map(
    (action): Row => ({
      op: `POST /api/v1/jobs/{job}/${action}`,
      need: 'operate',
      ok: action === 'trigger' ? 202 : 200,
      hidden: JOB_404,
      request: (t) => ({ path: `/api/v1/jobs/${t.job.name}/${action}` }),
    }),
  ),
  {
    // A url-target job: the test trigger goes to a closed port and answers 200 with outcome failed.
    op: 'POST /api/v1/jobs/{job}/test-trigger',
    need: 'operate',
    ok: 200,
    hidden: JOB_404,
    request: () => ({ path: '/api/v1/jobs/alpha.hook/test-trigger', body: {} }),
  },
  {
    op: 'POST /api/v1/jobs/{job}/pause',
    label: 'by id',
    need: 'operate',
    ok: 200,
    hidden: JOB_404,
    request: (t) => ({ path: `/api/v1/jobs/${t.job.id}/pause` }),
  },
  ...(['reveal', 'rotate'] as const).map(
    (action): Row => ({
      op: `POST /api/v1/jobs/{job}/secret/${action}`,
      need: 'own',
      ok: 200,
      hidden: JOB_404,
      request: (t) => ({ path: `/api/v1/jobs/${t.urlJob}/secret/${action}` }),
    }),
  ),
  ...(['name', 'id'] as const).flatMap((by): Row[] =>
    (['runs', 'trend'] as const).map((what) => ({
      op: `GET /api/v1/jobs/{job}/${what}`,
      label: `by ${by}`,
      need: 'read',
      ok: 200,
      hidden: JOB_404,
      request: (t) => ({ path: `/api/v1/jobs/${t.job[by]}/${what}` }),
    })),
  ),

  // Team A's runs.
  {
    op: 'GET /api/v1/runs/{runId}',
    need: 'read',
    ok: 200,
    hidden: RUN_404,
    request: (t) => ({ path: `/api/v1/runs/${t.run}` }),
  },
  {
    op: 'POST /api/v1/runs/{runId}/cancel',
    need: 'operate',
    ok: 202,
    hidden: RUN_404,
    request: async (t) => {
      const run = await t.newPendingRun();
      return {
        path: `/api/v1/runs/${run}/cancel`,
        check: async (allowed) => {
          const status = (await t.admin<{ status: string }>('GET', `/api/v1/runs/${run}`)).body.status;
          expect(status === 'cancelled', `run status ${status}`).toBe(allowed);
        },
        cleanup: async () => void (await t.admin('POST', `/api/v1/runs/${run}/cancel`)),
      };
    },
  },

  // Team A's worker groups.
  {
    op: 'POST /api/v1/worker-groups',
    need: 'edit',
    ok: 201,
    hidden: FORBIDDEN,
    request: (t) => ({ path: '/api/v1/worker-groups', body: groupSpec(t.fresh('alpha-new')) }),
  },
  {
    op: 'GET /api/v1/worker-groups/{name}',
    need: 'read',
    ok: 200,
    hidden: GROUP_404,
    request: () => ({ path: `/api/v1/worker-groups/${GROUP_A}` }),
  },
  {
    op: 'PUT /api/v1/worker-groups/{name}',
    need: 'edit',
    ok: 200,
    hidden: GROUP_404,
    request: async (t) => {
      const name = await t.newGroup();
      return { path: `/api/v1/worker-groups/${name}`, body: { ...groupSpec(name), description: 'changed' } };
    },
  },
  {
    op: 'DELETE /api/v1/worker-groups/{name}',
    need: 'edit',
    ok: 204,
    hidden: GROUP_404,
    request: async (t) => {
      const path = `/api/v1/worker-groups/${await t.newGroup()}`;
      return { path, check: async (allowed) => expect(await exists(t.admin, path)).toBe(!allowed) };
    },
  },
  {
    op: 'POST /api/v1/worker-groups/{name}/secret/reveal',
    need: 'own',
    ok: 200,
    hidden: GROUP_404,
    request: () => ({ path: `/api/v1/worker-groups/${GROUP_A}/secret/reveal` }),
  },
  {
    op: 'POST /api/v1/worker-groups/{name}/secret/rotate',
    need: 'own',
    ok: 200,
    hidden: GROUP_404,
    request: async (t) => ({ path: `/api/v1/worker-groups/${await t.newGroup()}/secret/rotate` }),
  },

  // Teams.
  {
    op: 'POST /api/v1/teams',
    need: 'admin',
    ok: 201,
    request: (t) => ({ path: '/api/v1/teams', body: { name: t.fresh('team') } }),
  },
  {
    op: 'GET /api/v1/teams/{team}',
    need: 'read',
    ok: 200,
    hidden: TEAM_404,
    request: () => ({ path: `/api/v1/teams/${A}` }),
  },
  {
    op: 'PUT /api/v1/teams/{team}',
    need: 'own',
    ok: 200,
    hidden: TEAM_404,
    request: () => ({ path: `/api/v1/teams/${A}`, body: { description: 'Team A' } }),
  },
  {
    op: 'DELETE /api/v1/teams/{team}',
    need: 'admin',
    ok: 204,
    request: async (t) => {
      const path = `/api/v1/teams/${await t.newTeam()}`;
      return { path, check: async (allowed) => expect(await exists(t.admin, path)).toBe(!allowed) };
    },
  },
  {
    op: 'PUT /api/v1/teams/{team}/members/{user}',
    need: 'own',
    ok: 200,
    hidden: TEAM_404,
    request: () => ({ path: `/api/v1/teams/${A}/members/${SPARE}`, body: { role: 'viewer' } }),
  },
  {
    op: 'DELETE /api/v1/teams/{team}/members/{user}',
    need: 'own',
    ok: 204,
    hidden: TEAM_404,
    request: async (t) => {
      expect((await t.admin('PUT', `/api/v1/teams/${A}/members/${SPARE}`, { role: 'viewer' })).status).toBe(
        200,
      );
      return { path: `/api/v1/teams/${A}/members/${SPARE}` };
    },
  },

  // Alerting: channels are global (admins change them), history and maintenance windows per team.
  {
    op: 'GET /api/v1/alert-channels',
    need: 'any',
    ok: 200,
    request: () => ({ path: '/api/v1/alert-channels' }),
  },
  {
    op: 'POST /api/v1/alert-channels',
    need: 'admin',
    ok: 201,
    request: (t) => ({
      path: '/api/v1/alert-channels',
      body: { name: t.fresh('hook'), type: 'webhook', ...HOOK },
    }),
  },
  {
    op: 'GET /api/v1/alert-channels/{name}',
    need: 'any',
    ok: 200,
    request: async (t) => ({ path: `/api/v1/alert-channels/${await newChannel(t)}` }),
  },
  {
    op: 'PUT /api/v1/alert-channels/{name}',
    need: 'admin',
    ok: 200,
    request: async (t) => {
      const name = await newChannel(t);
      return {
        path: `/api/v1/alert-channels/${name}`,
        body: { name, type: 'webhook', ...HOOK, enabled: false },
      };
    },
  },
  {
    op: 'DELETE /api/v1/alert-channels/{name}',
    need: 'admin',
    ok: 204,
    request: async (t) => {
      const path = `/api/v1/alert-channels/${await newChannel(t)}`;
      return { path, check: async (allowed) => expect(await exists(t.admin, path)).toBe(!allowed) };
    },
  },
  {
    // The receiver is a closed port: the test answers 200 with ok false.
    op: 'POST /api/v1/alert-channels/{name}/test',
    need: 'admin',
    ok: 200,
    request: async (t) => ({ path: `/api/v1/alert-channels/${await newChannel(t)}/test`, body: {} }),
  },
  { op: 'GET /api/v1/alerts', need: 'any', ok: 200, request: () => ({ path: '/api/v1/alerts' }) },
  {
    op: 'GET /api/v1/teams/{team}/maintenance-windows',
    need: 'read',
    ok: 200,
    hidden: TEAM_404,
    request: () => ({ path: `/api/v1/teams/${A}/maintenance-windows` }),
  },
  {
    op: 'POST /api/v1/teams/{team}/maintenance-windows',
    need: 'operate',
    ok: 201,
    hidden: TEAM_404,
    request: () => ({ path: `/api/v1/teams/${A}/maintenance-windows`, body: WINDOW }),
  },
  {
    op: 'DELETE /api/v1/teams/{team}/maintenance-windows/{id}',
    need: 'operate',
    ok: 204,
    hidden: TEAM_404,
    request: async (t) => {
      const made = await t.admin<{ id: string }>('POST', `/api/v1/teams/${A}/maintenance-windows`, WINDOW);
      expect(made.status).toBe(201);
      return { path: `/api/v1/teams/${A}/maintenance-windows/${made.body.id}` };
    },
  },

  // Users and tokens.
  {
    op: 'POST /api/v1/users',
    need: 'admin',
    ok: 201,
    request: (t) => ({ path: '/api/v1/users', body: { name: t.fresh('user'), password: PASSWORD } }),
  },
  {
    op: 'PATCH /api/v1/users/{user}',
    label: 'another user',
    need: 'admin',
    ok: 200,
    request: () => ({ path: `/api/v1/users/${SPARE}`, body: { displayName: 'Spare' } }),
  },
  {
    op: 'PUT /api/v1/users/{user}/password',
    label: 'another user',
    need: 'admin',
    ok: 204,
    request: () => ({ path: `/api/v1/users/${SPARE}/password`, body: { password: PASSWORD } }),
  },
  {
    op: 'DELETE /api/v1/tokens/{id}',
    label: "another user's",
    need: 'admin',
    ok: 204,
    notAdmin: [404, 'token_not_found'],
    request: async (t) => {
      const id = await t.newAdminToken();
      return {
        path: `/api/v1/tokens/${id}`,
        check: async (allowed) => {
          const all = await t.admin<{ items: { id: string; status: string }[] }>('GET', '/api/v1/tokens');
          expect(all.body.items.find((x) => x.id === id)?.status).toBe(allowed ? 'revoked' : 'active');
        },
      };
    },
  },
];

/** The answer `role` must get for `row`: 'allowed' or a denial. */
export function expectation(row: Row, role: RoleName): 'allowed' | Answer {
  if (row.everyone) return row.everyone;
  const need = row.need as Need;
  if (need === 'public') return 'allowed';
  if (role === 'anonymous') return [401, 'unauthorized'];
  if (need === 'any' || role === 'admin') return 'allowed';
  if (need === 'admin') return row.notAdmin ?? FORBIDDEN;
  const rank = RANK_IN_A[role];
  if (rank === undefined) return row.hidden as Answer;
  return rank >= NEED_RANK[need] ? 'allowed' : FORBIDDEN;
}

export const rowName = (row: Row) => `${row.op}${row.label ? ` (${row.label})` : ''}`;
