/**
 * API tokens and run tokens on both dialects, through a real server on
 * loopback: shown once and stored as digests, scopes no wider than their
 * user (or the token that made them), revocation, expiry, disabled users
 * and lost roles taking effect at the next call, and worker callback
 * tokens that are valid for their own run only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/database.js';
import {
  createMember,
  createTeam,
  createToken,
  type ErrorBody,
  expectError,
  grantRole,
  login,
  type MeBody,
  revokeRole,
  type TokenBody,
} from './helpers/accounts.js';
import { apiClient, startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { received, startWorker } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();
const YEARLY = { cron: '0 0 1 1 *' };
const JOB = '/api/v1/jobs/alpha.job';

describe.each(DIALECTS)('API tokens on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;

  beforeAll(async () => {
    tc = await startCenter(dialect);
    await createTeam(tc, 'alpha');
    await createTeam(tc, 'bravo');
    const group = await tc.api('POST', '/api/v1/worker-groups', {
      name: 'alpha-workers',
      team: 'alpha',
      members: [{ url: 'http://127.0.0.1:9' }],
    });
    expect(group.status).toBe(201);
    const job = await tc.api('POST', '/api/v1/jobs', {
      name: 'alpha.job',
      team: 'alpha',
      schedule: YEARLY,
      target: { group: 'alpha-workers', path: '/x' },
    });
    expect(job.status).toBe(201);
  });
  afterAll(() => tc?.close());

  it('shows a token once, lists it without its value, and stores only a digest', async () => {
    await createMember(tc, 'tess', { alpha: 'viewer' });
    const session = await login(tc, 'tess');
    const created = await createToken(tc, session.api, { name: 'ci' });
    expect(created.token).toMatch(/^jc_[A-Za-z0-9_-]{40,}$/);
    expect(created.body).toMatchObject({ name: 'ci', user: 'tess', scope: null, status: 'active' });
    expect((await created.api<MeBody>('GET', '/api/v1/auth/me')).body.user.name).toBe('tess');

    const list = await session.api<{ items: TokenBody[] }>('GET', '/api/v1/tokens');
    expect(list.body.items.map((t) => t.id)).toEqual([created.id]);
    expect(list.body.items[0]).not.toHaveProperty('token');
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(list.body.items[0]?.lastUsedAt, 'last use is tracked').not.toBeNull();
    const all = await tc.api('GET', '/api/v1/tokens?all=true');
    expect(JSON.stringify(all.body)).not.toContain(created.token);

    const { db, close } = openDatabase({ databaseUrl: tc.db.databaseUrl, dataDir: tc.db.dataDir });
    try {
      const rows = await db.selectFrom('api_tokens').selectAll().execute();
      const row = rows.find((r) => r.id === created.id);
      expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
      const secretPart = created.token.slice(3);
      expect(JSON.stringify(rows)).not.toContain(secretPart);
    } finally {
      await close();
    }
  });

  it('refuses a scope wider than the user, and holds a scoped token to its scope', async () => {
    await createMember(tc, 'ed', { alpha: 'editor' });
    const session = await login(tc, 'ed');
    const wider: [unknown, string][] = [
      [{ teams: [{ team: 'alpha', role: 'owner' }] }, 'scope.teams'],
      [{ teams: [{ team: 'bravo', role: 'viewer' }] }, 'scope.teams'],
      [{ admin: true }, 'scope.admin'],
    ];
    for (const [scope, field] of wider) {
      const res = await session.api('POST', '/api/v1/tokens', { name: 'too-wide', scope });
      expectError(res, 403, 'forbidden');
      expect((res.body as ErrorBody).error.field).toBe(field);
    }

    const viewer = await createToken(tc, session.api, {
      name: 'read-only',
      scope: { teams: [{ team: 'alpha', role: 'viewer' }] },
    });
    expect(viewer.body.scope).toEqual({ admin: false, teams: [{ team: 'alpha', role: 'viewer' }] });
    expect((await viewer.api('GET', JOB)).status).toBe(200);
    expectError(await viewer.api('POST', `${JOB}/pause`), 403, 'forbidden');
    expectError(
      await viewer.api('PUT', JOB, {
        name: 'alpha.job',
        team: 'alpha',
        schedule: YEARLY,
        target: { url: 'http://x' },
      }),
      403,
      'forbidden',
    );
    const me = await viewer.api<MeBody>('GET', '/api/v1/auth/me');
    expect(me.body.user.teams).toEqual([{ team: 'alpha', role: 'viewer' }]);
    expect(me.body.user.memberships, "the user's own roles").toEqual([
      { team: 'alpha', role: 'editor', source: 'local' },
    ]);
    // The user, logged in, still has the wider role.
    expect((await session.api('POST', `${JOB}/pause`)).status).toBe(200);
    expect((await session.api('POST', `${JOB}/resume`)).status).toBe(200);

    // A token made with a token is no wider than that token.
    expectError(
      await viewer.api('POST', '/api/v1/tokens', {
        name: 'escalate',
        scope: { teams: [{ team: 'alpha', role: 'editor' }] },
      }),
      403,
      'forbidden',
    );
    const child = await createToken(tc, viewer.api, { name: 'child' });
    expect(child.body.scope).toEqual({ admin: false, teams: [{ team: 'alpha', role: 'viewer' }] });
    expectError(await child.api('POST', `${JOB}/pause`), 403, 'forbidden');
  });

  it('does not let an expiring token make one that outlives it', async () => {
    await createMember(tc, 'max', { alpha: 'viewer' });
    const session = await login(tc, 'max');
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const parent = await createToken(tc, session.api, { name: 'short', expiresAt });
    for (const later of [null, new Date(Date.now() + 7_200_000).toISOString()]) {
      const res = await parent.api('POST', '/api/v1/tokens', {
        name: 'long',
        ...(later === null ? {} : { expiresAt: later }),
      });
      expectError(res, 403, 'forbidden');
      expect((res.body as ErrorBody).error.field).toBe('expiresAt');
    }
    const sooner = new Date(Date.now() + 1_800_000).toISOString();
    expect((await createToken(tc, parent.api, { name: 'shorter', expiresAt: sooner })).body.status).toBe(
      'active',
    );
    // A session may make a token of any lifetime.
    expect((await createToken(tc, session.api, { name: 'forever' })).body.expiresAt).toBeNull();
  });

  it('stops a token at once when it is revoked, expires, its user is disabled or loses a role', async () => {
    await createMember(tc, 'rita', { alpha: 'editor' });
    const session = await login(tc, 'rita');

    const revoked = await createToken(tc, session.api, { name: 'to-revoke' });
    expect((await revoked.api('GET', JOB)).status).toBe(200);
    expect((await session.api('DELETE', `/api/v1/tokens/${revoked.id}`)).status).toBe(204);
    expectError(await revoked.api('GET', JOB), 401, 'unauthorized');
    expectError(await session.api('DELETE', `/api/v1/tokens/${revoked.id}x`), 404, 'token_not_found');

    const expiring = await createToken(tc, session.api, {
      name: 'short-lived',
      expiresAt: new Date(Date.now() + 5_000).toISOString(),
    });
    expect((await expiring.api('GET', JOB)).status).toBe(200);
    await waitFor(async () => (await expiring.api('GET', JOB)).status === 401, 'the token to expire');
    const statuses = await session.api<{ items: TokenBody[] }>('GET', '/api/v1/tokens');
    expect(Object.fromEntries(statuses.body.items.map((t) => [t.name, t.status]))).toEqual({
      'to-revoke': 'revoked',
      'short-lived': 'expired',
    });

    const full = await createToken(tc, session.api, { name: 'full' });
    const scoped = await createToken(tc, session.api, {
      name: 'editor-scoped',
      scope: { teams: [{ team: 'alpha', role: 'editor' }] },
    });
    for (const token of [full, scoped]) expect((await token.api('POST', `${JOB}/pause`)).status).toBe(200);

    expect((await tc.api('PATCH', '/api/v1/users/rita', { disabled: true })).status).toBe(200);
    for (const token of [full, scoped]) expectError(await token.api('GET', JOB), 401, 'unauthorized');
    expect((await tc.api('PATCH', '/api/v1/users/rita', { disabled: false })).status).toBe(200);

    // Demoted to viewer: the tokens can read but no longer act, whatever their scope says.
    await grantRole(tc, 'alpha', 'rita', 'viewer');
    for (const token of [full, scoped]) {
      expect((await token.api('GET', JOB)).status).toBe(200);
      expectError(await token.api('POST', `${JOB}/resume`), 403, 'forbidden');
    }
    // No role left: the team's things no longer exist for them.
    await revokeRole(tc, 'alpha', 'rita');
    for (const token of [full, scoped]) {
      expectError(await token.api('GET', JOB), 404, 'job_not_found');
      expect((await token.api<{ items: unknown[] }>('GET', '/api/v1/jobs')).body.items).toEqual([]);
    }
    await grantRole(tc, 'alpha', 'rita', 'editor');
    expect((await scoped.api('POST', `${JOB}/resume`)).status, 'the role back, the token works').toBe(200);
  });

  it('accepts a callback only with the token of its own run (or shard)', async () => {
    const worker = await startWorker('cb');
    try {
      const group = await tc.api('POST', '/api/v1/worker-groups', {
        name: 'cb-workers',
        team: 'alpha',
        members: [{ url: worker.url }],
      });
      expect(group.status).toBe(201);
      for (const [name, routing] of [
        ['alpha.async', 'random'],
        ['alpha.fanout', 'broadcast'],
      ]) {
        const job = await tc.api('POST', '/api/v1/jobs', {
          name,
          team: 'alpha',
          schedule: YEARLY,
          routing,
          // The worker accepts (202) and never reports: the runs stay open for the callbacks below.
          target: { group: 'cb-workers', path: '/async' },
          params: { result: 'none' },
        });
        expect(job.status, JSON.stringify(job.body)).toBe(201);
      }
      const trigger = async (job: string) =>
        (await tc.api<{ id: string }>('POST', `/api/v1/jobs/${job}/trigger`)).body.id;
      const [runA, runB, runC] = [
        await trigger('alpha.async'),
        await trigger('alpha.async'),
        await trigger('alpha.fanout'),
      ];
      type Callback = { url: string; token: string };
      const callbacks = await waitFor(async () => {
        const bodies = (await received(worker)).map(
          (r) => r.body as { runId: string; callback: Callback } | null,
        );
        const of = (id: string) => bodies.find((b) => b?.runId === id)?.callback;
        const [a, b, c] = [of(runA), of(runB), of(runC)];
        return a && b && c ? { a, b, c } : null;
      }, 'the worker to receive the three triggers');
      expect(callbacks.c.url).toMatch(new RegExp(`/callbacks/${runC}/shards/0$`));

      const post = (url: string, token: string | null, kind = 'progress') =>
        apiClient(url, token === null ? {} : { authorization: `Bearer ${token}` })(
          'POST',
          `/${kind}`,
          kind === 'progress' ? { progress: 50 } : { status: 'succeeded' },
        );
      const refused: [string, string | null][] = [
        [callbacks.b.url, callbacks.a.token],
        [callbacks.a.url, callbacks.b.token],
        [callbacks.a.url, callbacks.c.token],
        [callbacks.c.url, callbacks.a.token],
        [callbacks.c.url.replace(/\/shards\/0$/, ''), callbacks.c.token],
        [callbacks.a.url, null],
        [callbacks.a.url, 'jc_test-admin-token-0123456789'],
      ];
      for (const [url, token] of refused) {
        expectError(await post(url, token), 401, 'unauthorized');
        expectError(await post(url, token, 'result'), 401, 'unauthorized');
      }
      for (const callback of [callbacks.a, callbacks.b, callbacks.c]) {
        expect((await post(callback.url, callback.token)).status).toBe(200);
      }
      expect((await post(callbacks.a.url, callbacks.a.token, 'result')).status).toBe(200);
      const run = async (id: string) => (await tc.api<{ status: string }>('GET', `/api/v1/runs/${id}`)).body;
      expect((await run(runA)).status).toBe('succeeded');
      expect((await run(runB)).status, 'refused results changed nothing').toBe('running');
      for (const id of [runB, runC])
        expect((await tc.api('POST', `/api/v1/runs/${id}/cancel`)).status).toBe(202);
    } finally {
      await worker.stop();
    }
  });
});
