/**
 * The audit log and secrets on both dialects, through a real server on
 * loopback: every change and manual action is recorded with who, from
 * where and for which team; no secret or password ever reaches the log;
 * list and read answers never carry a signing secret, reveal and rotate do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMember,
  createTeam,
  createToken,
  login,
  PASSWORD,
  type Session,
  tryLogin,
} from './helpers/accounts.js';
import { startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';

const DIALECTS = await dialects();
const YEARLY = { cron: '0 0 1 1 *' };
const GROUP_SECRET = 'explicit-group-secret-0123456789';
const HEADER_SECRET = 'Bearer header-secret-4242';
const WRONG_PASSWORD = 'olga-wrong-password-77';
const NEW_USER_PASSWORD = 'new-user-password-8080';
const RESET_PASSWORD = 'olga-reset-password-9191';

type Entry = {
  id: string;
  at: string;
  actor: string | null;
  actorKind: string;
  tokenId: string | null;
  ip: string | null;
  action: string;
  targetType: string;
  target: string | null;
  team: string | null;
  details: Record<string, unknown> | null;
};
type Secreted = { secret?: string };

describe.each(DIALECTS)('audit log and secrets on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;
  let olga: Session;
  /** Every secret and password the tests handled; none may appear in the audit log. */
  const secrets = new Set<string>([GROUP_SECRET, HEADER_SECRET, WRONG_PASSWORD, PASSWORD]);
  const ids: Record<string, string> = {};

  const job = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    team: 'alpha',
    schedule: YEARLY,
    target: { group: 'audit-workers', path: '/x', headers: { authorization: HEADER_SECRET } },
    ...extra,
  });
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    status = 200,
  ) {
    const res = await olga.api<T>(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
    return res.body;
  }

  beforeAll(async () => {
    tc = await startCenter(dialect);
    await createTeam(tc, 'alpha');
    await createMember(tc, 'olga', { alpha: 'owner' });
    expect((await tryLogin(tc, 'olga', WRONG_PASSWORD)).status).toBe(401);
    olga = await login(tc, 'olga');

    // Everything below is done by olga, a team owner, in her console session.
    const group = await call<Secreted>(
      'POST',
      '/api/v1/worker-groups',
      {
        name: 'audit-workers',
        team: 'alpha',
        members: [{ url: 'http://127.0.0.1:9' }],
        secret: GROUP_SECRET,
      },
      201,
    );
    expect(group.secret).toBe(GROUP_SECRET);
    await call('POST', '/api/v1/jobs', job('alpha.audited'), 201);
    await call('PUT', '/api/v1/jobs/alpha.audited', job('alpha.audited', { description: 'changed' }));
    await call('POST', '/api/v1/jobs/alpha.audited/pause');
    await call('POST', '/api/v1/jobs/alpha.audited/resume');
    ids.triggered = (await call<{ id: string }>('POST', '/api/v1/jobs/alpha.audited/trigger', {}, 202)).id;
    await call('POST', '/api/v1/jobs', job('alpha.pending', { delivery: 'until_delivered' }), 201);
    ids.cancelled = (await call<{ id: string }>('POST', '/api/v1/jobs/alpha.pending/trigger', {}, 202)).id;
    await call('POST', `/api/v1/runs/${ids.cancelled}/cancel`, undefined, 202);

    const hook = await call<Secreted>(
      'POST',
      '/api/v1/jobs',
      job('alpha.hook', { target: { url: 'http://127.0.0.1:9/hook' } }),
      201,
    );
    secrets.add(hook.secret as string);
    expect((await call<Secreted>('POST', '/api/v1/worker-groups/audit-workers/secret/reveal')).secret).toBe(
      GROUP_SECRET,
    );
    secrets.add(
      (await call<Secreted>('POST', '/api/v1/worker-groups/audit-workers/secret/rotate')).secret as string,
    );
    expect((await call<Secreted>('POST', '/api/v1/jobs/alpha.hook/secret/reveal')).secret).toBe(hook.secret);
    secrets.add((await call<Secreted>('POST', '/api/v1/jobs/alpha.hook/secret/rotate')).secret as string);

    const token = await createToken(tc, olga.api, { name: 'audit-script' });
    secrets.add(token.token);
    ids.token = token.id;
    expect((await token.api('POST', '/api/v1/jobs/alpha.pending/pause')).status).toBe(200);
    await call('DELETE', `/api/v1/tokens/${token.id}`, undefined, 204);
    await call('DELETE', '/api/v1/jobs/alpha.audited', undefined, 204);

    // The admin adds a user and resets olga's password.
    expect(
      (await tc.api('POST', '/api/v1/users', { name: 'newbie', password: NEW_USER_PASSWORD })).status,
    ).toBe(201);
    expect((await tc.api('PUT', '/api/v1/users/olga/password', { password: RESET_PASSWORD })).status).toBe(
      204,
    );
    secrets.add(NEW_USER_PASSWORD).add(RESET_PASSWORD);
  });
  afterAll(() => tc?.close());

  /** The whole log, every page, as the admin reads it. */
  async function wholeLog(): Promise<Entry[]> {
    const entries: Entry[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Entry[]; nextCursor: string | null } } = await tc.api(
        'GET',
        `/api/v1/audit?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      entries.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return entries;
  }

  it('records logins, job, run, secret and token actions with actor, address and team', async () => {
    const log = await wholeLog();
    const find = (action: string, target?: string) => {
      const entry = log.find((e) => e.action === action && (target === undefined || e.target === target));
      expect(entry, `an audit entry ${action} ${target ?? ''}`).toBeDefined();
      return entry as Entry;
    };
    const byOlga = { actor: 'olga', actorKind: 'user', tokenId: null, ip: '127.0.0.1' };

    expect(find('auth.login_failed', 'olga')).toMatchObject({
      actor: 'olga',
      actorKind: 'anonymous',
      ip: '127.0.0.1',
      team: null,
    });
    expect(find('auth.login', 'olga')).toMatchObject({ ...byOlga, team: null });

    const inAlpha = { ...byOlga, team: 'alpha' };
    expect(find('group.create', 'audit-workers')).toMatchObject({ ...inAlpha, targetType: 'group' });
    for (const action of ['group.secret_reveal', 'group.secret_rotate']) {
      expect(find(action, 'audit-workers')).toMatchObject(inAlpha);
    }
    const created = find('job.create', 'alpha.audited');
    expect(created).toMatchObject({ ...inAlpha, targetType: 'job' });
    expect(created.details?.after).toMatchObject({ name: 'alpha.audited', team: 'alpha' });
    const updated = find('job.update', 'alpha.audited');
    expect(updated).toMatchObject(inAlpha);
    expect(updated.details?.before).toMatchObject({ description: '' });
    expect(updated.details?.after).toMatchObject({ description: 'changed' });
    for (const action of ['job.pause', 'job.resume', 'job.delete']) {
      expect(find(action, 'alpha.audited')).toMatchObject(inAlpha);
    }
    expect(find('job.delete', 'alpha.audited').details?.before).toMatchObject({ name: 'alpha.audited' });
    expect(find('job.trigger', 'alpha.audited')).toMatchObject({
      ...inAlpha,
      details: { runId: ids.triggered },
    });
    expect(find('run.cancel', ids.cancelled)).toMatchObject({
      ...inAlpha,
      targetType: 'run',
      details: { job: 'alpha.pending' },
    });
    for (const action of ['job.secret_reveal', 'job.secret_rotate']) {
      expect(find(action, 'alpha.hook')).toMatchObject(inAlpha);
    }
    expect(find('token.create', ids.token)).toMatchObject({
      ...byOlga,
      targetType: 'token',
      details: { name: 'audit-script' },
    });
    expect(find('token.revoke', ids.token)).toMatchObject(byOlga);
    // An action taken with the token names the token.
    expect(find('job.pause', 'alpha.pending')).toMatchObject({
      actor: 'olga',
      actorKind: 'token',
      tokenId: ids.token,
      ip: '127.0.0.1',
      team: 'alpha',
    });
    expect(find('user.create', 'newbie')).toMatchObject({ actor: 'admin', actorKind: 'token' });
    expect(find('user.password', 'olga')).toMatchObject({ actor: 'admin' });

    // Filters: one action, a family of actions, one team.
    const pauses = await tc.api<{ items: Entry[] }>('GET', '/api/v1/audit?action=job.pause');
    expect(new Set(pauses.body.items.map((e) => e.action))).toEqual(new Set(['job.pause']));
    const jobActions = await tc.api<{ items: Entry[] }>(
      'GET',
      '/api/v1/audit?action=job&actor=olga&limit=500',
    );
    expect(jobActions.body.items.every((e) => e.action.startsWith('job.'))).toBe(true);
    expect(jobActions.body.items.length).toBeGreaterThanOrEqual(10);
  });

  it('keeps every secret and password out of the audit log', async () => {
    const log = JSON.stringify(await wholeLog());
    for (const secret of secrets) expect(log, 'a secret in the audit log').not.toContain(secret);
    expect(log).toContain('[redacted]');
  });

  it('shows signing secrets in reveal and rotate answers only, never in lists or reads', async () => {
    const olgaNow = await login(tc, 'olga', RESET_PASSWORD);
    const groupSecret = (
      await olgaNow.api<Secreted>('POST', '/api/v1/worker-groups/audit-workers/secret/reveal')
    ).body.secret as string;
    const jobSecret = (await olgaNow.api<Secreted>('POST', '/api/v1/jobs/alpha.hook/secret/reveal')).body
      .secret as string;
    expect(secrets.has(groupSecret) && secrets.has(jobSecret), 'the rotated secrets').toBe(true);
    expect(groupSecret).not.toBe(GROUP_SECRET);

    const answers = [
      await tc.api('GET', '/api/v1/worker-groups'),
      await tc.api('GET', '/api/v1/worker-groups/audit-workers'),
      await tc.api('PUT', '/api/v1/worker-groups/audit-workers', {
        name: 'audit-workers',
        team: 'alpha',
        members: [{ url: 'http://127.0.0.1:9' }],
      }),
      await tc.api('GET', '/api/v1/jobs'),
      await tc.api('GET', '/api/v1/jobs/alpha.hook'),
      await tc.api('PUT', '/api/v1/jobs/alpha.hook', {
        name: 'alpha.hook',
        team: 'alpha',
        schedule: YEARLY,
        target: { url: 'http://127.0.0.1:9/hook' },
      }),
      await tc.api('GET', '/api/v1/teams/alpha'),
      await tc.api('GET', '/api/v1/overview'),
    ];
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(groupSecret);
      expect(text).not.toContain(jobSecret);
      expect(text).not.toMatch(/"secret"/);
    }
    // Rotation replaced the group secret: the earlier one is gone for good.
    const rotated = await olgaNow.api<Secreted>('POST', '/api/v1/worker-groups/audit-workers/secret/rotate');
    expect(rotated.body.secret).toMatch(/.{16,}/);
    expect(rotated.body.secret).not.toBe(groupSecret);
    const revealed = await olgaNow.api<Secreted>('POST', '/api/v1/worker-groups/audit-workers/secret/reveal');
    expect(revealed.body.secret).toBe(rotated.body.secret);
    secrets.add(rotated.body.secret as string);
  });
});
