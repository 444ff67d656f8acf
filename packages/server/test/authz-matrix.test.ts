/**
 * Who may call what: every role against every operation of the API, on
 * both dialects, through a real server on loopback with console sessions
 * (cookie and CSRF token). The operations come from the server's own
 * OpenAPI document, so a new endpoint without a row here fails the test.
 *
 * Team A (`alpha`) owns the targets; its job, group and runs are what each
 * row acts on. A caller with no role in team A must not even learn that
 * the target exists (the same 404 as for a missing one); a caller who may
 * read but not act gets 403 `forbidden`; nobody logged in gets 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, createMember, createTeam, type ErrorBody, login, PASSWORD } from './helpers/accounts.js';
import { type Api, startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();

const A = 'alpha';
const B = 'bravo';
const GROUP_A = 'alpha-workers';
const GROUP_B = 'bravo-workers';
/** Nothing listens on the discard port: deliveries there fail at once. */
const DEAD_MEMBER = [{ url: 'http://127.0.0.1:9' }];
const YEARLY = { cron: '0 0 1 1 *' };

const ROLES = [
  'admin',
  'owner',
  'editor',
  'operator',
  'viewer',
  'viewer of B only',
  'no role',
  'anonymous',
] as const;
type RoleName = (typeof ROLES)[number];

/** Each role's user: name and roles per team. */
const USERS: Record<Exclude<RoleName, 'anonymous'>, { name: string; admin?: boolean; team?: string }> = {
  admin: { name: 'root', admin: true },
  owner: { name: 'own-a', team: A },
  editor: { name: 'edit-a', team: A },
  operator: { name: 'op-a', team: A },
  viewer: { name: 'view-a', team: A },
  'viewer of B only': { name: 'view-b', team: B },
  'no role': { name: 'loner' },
};
/** The user rows act on (profile, password, membership); no role of the matrix. */
const SPARE = 'spare';

/** The rank of each role in team A; absent: no role there. */
const RANK_IN_A: Partial<Record<RoleName, number>> = { viewer: 0, operator: 1, editor: 2, owner: 3 };
const NEED_RANK = { read: 0, operate: 1, edit: 2, own: 3 } as const;

type Need = 'public' | 'any' | 'admin' | keyof typeof NEED_RANK;
type Answer = readonly [status: number, code: string];

interface Target {
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

interface Request {
  path: string;
  body?: unknown;
  /** Another client than the role's session (logout). */
  as?: Api;
  /** Checks after the call: a denied change changed nothing. */
  check?: (allowed: boolean) => Promise<void>;
  /** Tidies after the call (a run left open). */
  cleanup?: () => Promise<void>;
}

interface Row {
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

const jobSpec = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  team: A,
  schedule: YEARLY,
  target: { group: GROUP_A, path: '/x' },
  ...extra,
});
const groupSpec = (name: string) => ({ name, team: A, members: DEAD_MEMBER });

const JOB_404: Answer = [404, 'job_not_found'];
const RUN_404: Answer = [404, 'run_not_found'];
const GROUP_404: Answer = [404, 'group_not_found'];
const TEAM_404: Answer = [404, 'team_not_found'];
const FORBIDDEN: Answer = [403, 'forbidden'];

async function exists(api: Api, path: string): Promise<boolean> {
  return (await api('GET', path)).status === 200;
}

const ROWS: Row[] = [
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
function expectation(row: Row, role: RoleName): 'allowed' | Answer {
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

const rowName = (row: Row) => `${row.op}${row.label ? ` (${row.label})` : ''}`;

describe.each(DIALECTS)('authorization matrix on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;
  let target: Target;
  const clients = {} as Record<RoleName, Api>;

  beforeAll(async () => {
    // Logins of the logout row all come from 127.0.0.1: no address lockout here.
    tc = await startCenter(dialect, { loginAddressMaxFailures: 10_000 });
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
    target = {
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
  });
  afterAll(() => tc?.close());

  it('has a row for every operation of the OpenAPI document, and none for operations it lacks', async () => {
    const doc = await anonymous(tc)<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/api/v1/openapi.json',
    );
    expect(doc.status).toBe(200);
    const documented = Object.entries(doc.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const covered = new Set(ROWS.map((r) => r.op));
    expect(
      documented.filter((op) => !covered.has(op)),
      'operations without a row: add them to ROWS',
    ).toEqual([]);
    expect(
      [...covered].filter((op) => !documented.includes(op)),
      'rows for undocumented operations',
    ).toEqual([]);
  });

  it.each(ROWS.map((row) => [rowName(row), row] as const))('%s', async (_name, row) => {
    const [method, template] = row.op.split(' ') as [string, string];
    const wrong: string[] = [];
    for (const role of ROLES) {
      const req = await row.request(target, role);
      expect(req.path.startsWith(template.split('{')[0] as string)).toBe(true);
      const res = await (req.as ?? clients[role])(method, req.path, req.body);
      const want = expectation(row, role);
      const allowed = want === 'allowed';
      const code = (res.body as ErrorBody | null)?.error?.code;
      const ok = allowed
        ? res.status === row.ok
        : res.status === want[0] && (want[1] === '' || code === want[1]);
      if (!ok) {
        const expected = allowed ? String(row.ok) : `${want[0]} ${want[1]}`;
        wrong.push(
          `${role}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
        );
      }
      await req.check?.(allowed);
      await req.cleanup?.();
    }
    expect(wrong, `${rowName(row)}`).toEqual([]);
  });

  it('answers a team-B viewer the same 404 for team A things as for things that do not exist', async () => {
    const viewerB = clients['viewer of B only'];
    const missingId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const pairs: [string, string, string][] = [
      ['GET', `/api/v1/jobs/${target.job.id}`, `/api/v1/jobs/${missingId}`],
      ['GET', `/api/v1/jobs/${target.job.name}`, '/api/v1/jobs/alpha.nothing'],
      ['GET', `/api/v1/jobs/${target.job.name}/runs`, '/api/v1/jobs/alpha.nothing/runs'],
      ['GET', `/api/v1/jobs/${target.job.id}/trend`, `/api/v1/jobs/${missingId}/trend`],
      ['GET', `/api/v1/runs/${target.run}`, `/api/v1/runs/${missingId}`],
      ['POST', `/api/v1/runs/${target.run}/cancel`, `/api/v1/runs/${missingId}/cancel`],
      ['GET', `/api/v1/worker-groups/${GROUP_A}`, '/api/v1/worker-groups/nothing-here'],
      ['GET', `/api/v1/teams/${A}`, '/api/v1/teams/nothing-here'],
    ];
    for (const [method, real, missing] of pairs) {
      const [a, b] = [await viewerB(method, real), await viewerB(method, missing)];
      expect(a.status, `${method} ${real}`).toBe(404);
      expect(b.status, `${method} ${missing}`).toBe(404);
      expect((a.body as ErrorBody).error.code).toBe((b.body as ErrorBody).error.code);
    }
  });

  it('lets a job target only a group of a team the caller edits, on create and on edit', async () => {
    await createMember(tc, 'edit-a-view-b', { [A]: 'editor', [B]: 'viewer' });
    await createMember(tc, 'edit-ab', { [A]: 'editor', [B]: 'editor' });
    const [readsB, editsB] = [(await login(tc, 'edit-a-view-b')).api, (await login(tc, 'edit-ab')).api];
    const cross = (name: string, path = '/x') => jobSpec(name, { target: { group: GROUP_B, path } });

    const hidden = await clients.editor('POST', '/api/v1/jobs', cross('alpha.cross-1'));
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(400);
    expect((hidden.body as ErrorBody).error).toMatchObject({
      code: 'validation_error',
      field: 'target.group',
    });
    const seen = await readsB('POST', '/api/v1/jobs', cross('alpha.cross-2'));
    expect(seen.status, JSON.stringify(seen.body)).toBe(403);
    expect((seen.body as ErrorBody).error).toMatchObject({ code: 'forbidden', field: 'target.group' });
    expect((await editsB('POST', '/api/v1/jobs', cross('alpha.cross-3'))).status).toBe(201);

    // A job of team A that an admin pointed at team B's workers: only an editor of B may change it.
    expect((await target.admin('POST', '/api/v1/jobs', cross('alpha.cross-4'))).status).toBe(201);
    const edit = cross('alpha.cross-4', '/anything-else');
    const refused: [Api, number, string][] = [
      [clients.editor, 400, 'validation_error'],
      [readsB, 403, 'forbidden'],
    ];
    for (const [api, status, code] of refused) {
      const res = await api('PUT', '/api/v1/jobs/alpha.cross-4', edit);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect((res.body as ErrorBody).error).toMatchObject({ code, field: 'target.group' });
    }
    const unchanged = await target.admin<{ target: { path: string } }>('GET', '/api/v1/jobs/alpha.cross-4');
    expect(unchanged.body.target.path).toBe('/x');
    expect((await editsB('PUT', '/api/v1/jobs/alpha.cross-4', edit)).status).toBe(200);
  });

  it("keeps a deleted job's runs with its team", async () => {
    const name = await target.newJob();
    const job = await target.admin<{ id: string }>('GET', `/api/v1/jobs/${name}`);
    const run = await target.admin<{ id: string }>('POST', `/api/v1/jobs/${name}/trigger`);
    expect(run.status).toBe(202);
    expect((await clients.editor('DELETE', `/api/v1/jobs/${name}`)).status).toBe(204);

    const history = `/api/v1/jobs/${job.body.id}/runs`;
    const viewerA = await clients.viewer<{ items: { id: string }[] }>('GET', history);
    expect(viewerA.status, JSON.stringify(viewerA.body)).toBe(200);
    expect(viewerA.body.items.map((r) => r.id)).toEqual([run.body.id]);
    expect((await clients.viewer('GET', `/api/v1/runs/${run.body.id}`)).status).toBe(200);
    for (const role of ['viewer of B only', 'no role'] as const) {
      expect((await clients[role]('GET', history)).status, role).toBe(404);
      expect((await clients[role]('GET', `/api/v1/runs/${run.body.id}`)).status, role).toBe(404);
    }
  });

  it("lists, counts and the audit log show only the caller's teams", async () => {
    type Items<T> = { items: T[] };
    const teamsIn = async (role: RoleName, path: string) =>
      (await clients[role]<Items<{ team: string | null }>>('GET', path)).body.items.map((x) => x.team);

    for (const path of ['/api/v1/jobs', '/api/v1/worker-groups', '/api/v1/audit?limit=500']) {
      expect(new Set(await teamsIn('viewer of B only', path)), path).toEqual(new Set([B]));
      expect(new Set(await teamsIn('viewer', path)), path).toEqual(new Set([A]));
      expect(await teamsIn('no role', path), path).toEqual([]);
    }
    const adminJobs = await teamsIn('admin', '/api/v1/jobs');
    expect(adminJobs).toContain(A);
    expect(adminJobs).toContain(B);
    const viewerBJobs = await clients['viewer of B only']<Items<{ name: string }>>('GET', '/api/v1/jobs');
    expect(viewerBJobs.body.items.map((j) => j.name)).toEqual(['bravo.sweep']);
    const teams = await clients['viewer of B only']<Items<{ name: string }>>('GET', '/api/v1/teams');
    expect(teams.body.items.map((t) => t.name)).toEqual([B]);
    expect((await clients['no role']<Items<unknown>>('GET', '/api/v1/teams')).body.items).toEqual([]);

    type Overview = {
      jobs: { total: number; enabled: number; paused: number };
      jobsPerTeam: { team: string }[];
      runs24h: Record<string, number>;
      runningNow: { count: number; items: { job: string }[] };
      recentFailures: { job: string }[];
    };
    const overview = async (role: RoleName) =>
      (await clients[role]<Overview>('GET', '/api/v1/overview')).body;
    const runsIn = (o: Overview) =>
      Object.entries(o.runs24h)
        .filter(([k]) => k !== 'timedOut')
        .reduce((sum, [, n]) => sum + n, 0);

    const b = await overview('viewer of B only');
    expect(b.jobs).toEqual({ total: 1, enabled: 1, paused: 0 });
    expect(b.jobsPerTeam.map((t) => t.team)).toEqual([B]);
    expect(runsIn(b), JSON.stringify(b.runs24h)).toBe(1);
    expect(b.runs24h.failed).toBe(1);
    expect(b.runningNow.count).toBe(0);
    expect(b.recentFailures.map((r) => r.job)).toEqual(['bravo.sweep']);

    const none = await overview('no role');
    expect(none.jobs.total).toBe(0);
    expect(runsIn(none)).toBe(0);
    expect(none.recentFailures).toEqual([]);

    const all = await overview('admin');
    expect(all.jobs.total).toBeGreaterThan(b.jobs.total);
    expect(runsIn(all)).toBeGreaterThan(runsIn(b));
    expect(all.jobsPerTeam.map((t) => t.team)).toEqual(expect.arrayContaining([A, B]));
  });

  it('authenticates percent-encoded paths like plain ones', async () => {
    // The router decodes `%61` to `a`; the authentication must see the same route.
    const anon = anonymous(tc);
    const wrong: string[] = [];
    for (const row of ROWS) {
      if (row.everyone || row.need === 'public') continue;
      const [method] = row.op.split(' ') as [string];
      const { path, body, cleanup } = await row.request(target, 'anonymous');
      const encoded = path.replace(/^\/api\//, '/%61pi/');
      const res = await anon(method, encoded, body);
      if (res.status !== 401) wrong.push(`${method} ${encoded}: ${res.status}`);
      await cleanup?.();
    }
    expect(wrong).toEqual([]);
  });
});
