/**
 * Console login on both dialects, through a real server on loopback:
 * sessions (login, logout, me, idle and absolute expiry), CSRF protection
 * of cookie-authenticated writes, password changes, brute-force lockout
 * per user and per address, and the first admin of an empty store.
 * Tokens are in auth-tokens.test.ts, the audit log and secrets in
 * audit.test.ts.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMember,
  createTeam,
  type ErrorBody,
  expectError,
  login,
  type MeBody,
  PASSWORD,
  tokenClient,
  tryLogin,
} from './helpers/accounts.js';
import { ADMIN_TOKEN, startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { sleep, waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();
const JOB = {
  name: 'alpha.job',
  team: 'alpha',
  schedule: { cron: '0 0 1 1 *' },
  target: { url: 'http://127.0.0.1:9/x' },
};

describe.each(DIALECTS)('console login on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;

  beforeAll(async () => {
    // Every request comes from 127.0.0.1: the address limit stays out of the way here.
    tc = await startCenter(dialect, { loginAddressMaxFailures: 10_000 });
    await createTeam(tc, 'alpha');
    await createTeam(tc, 'bravo');
    const job = await tc.api('POST', '/api/v1/jobs', JOB);
    expect(job.status, JSON.stringify(job.body)).toBe(201);
  });
  afterAll(() => tc?.close());

  it('logs in with an httpOnly SameSite=Lax cookie, shows who is calling with their roles, and logs out', async () => {
    await createMember(tc, 'alice', { alpha: 'editor', bravo: 'viewer' });
    const res = await tryLogin(tc, 'Alice', PASSWORD);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const cookie = res.setCookie.find((c) => c.startsWith('jobcenter_session=')) as string;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);

    const session = await login(tc, 'alice');
    const me = await session.api<MeBody>('GET', '/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ name: 'alice', admin: false });
    const byTeam = (list: { team: string }[]) => [...list].sort((a, b) => a.team.localeCompare(b.team));
    expect(byTeam(me.body.user.teams)).toEqual([
      { team: 'alpha', role: 'editor' },
      { team: 'bravo', role: 'viewer' },
    ]);
    expect(byTeam(me.body.user.memberships)).toEqual([
      { team: 'alpha', role: 'editor', source: 'local' },
      { team: 'bravo', role: 'viewer', source: 'local' },
    ]);
    expect(me.body.csrfToken).toBe(session.csrfToken);
    const admin = await tokenClient(tc, ADMIN_TOKEN)<MeBody>('GET', '/api/v1/auth/me');
    expect(admin.body.user).toMatchObject({ name: 'admin', admin: true });
    expect(admin.body.csrfToken, 'a token call has no CSRF token').toBeNull();

    expect((await session.api('POST', '/api/v1/auth/logout')).status).toBe(204);
    expectError(await session.api('GET', '/api/v1/auth/me'), 401, 'unauthorized');
    const other = sessionFrom(res.cookie as string, (res.body as { csrfToken: string }).csrfToken);
    expect((await other('GET', '/api/v1/auth/me')).status, 'the other session lives on').toBe(200);
  });

  it('answers a wrong password, an unknown user and a user without a password alike', async () => {
    await createMember(tc, 'bob');
    const wrong = await tryLogin(tc, 'bob', 'not-the-password');
    const unknown = await tryLogin(tc, 'nobody-at-all', 'not-the-password');
    // The bootstrap admin has an API token and no password.
    const noPassword = await tryLogin(tc, 'admin', 'not-the-password');
    for (const res of [wrong, unknown, noPassword]) {
      expectError(res, 401, 'invalid_credentials');
      expect(res.cookie).toBeNull();
    }
    expect(unknown.body).toEqual(wrong.body);
    expect(noPassword.body).toEqual(wrong.body);
    expect((await tryLogin(tc, 'bob', PASSWORD)).status).toBe(200);
  });

  it('refuses a disabled user, and ends its sessions', async () => {
    await createMember(tc, 'dora', { alpha: 'viewer' });
    const session = await login(tc, 'dora');
    expect((await tc.api('PATCH', '/api/v1/users/dora', { disabled: true })).status).toBe(200);
    expectError(await session.api('GET', '/api/v1/auth/me'), 401, 'unauthorized');
    expectError(await tryLogin(tc, 'dora', PASSWORD), 403, 'account_disabled');
    expect((await tc.api('PATCH', '/api/v1/users/dora', { disabled: false })).status).toBe(200);
    expect((await tryLogin(tc, 'dora', PASSWORD)).status).toBe(200);
  });

  it('needs the X-CSRF-Token of the session for cookie-authenticated writes, not for reads or tokens', async () => {
    await createMember(tc, 'carl', { alpha: 'owner' });
    const session = await login(tc, 'carl');
    const otherSession = await login(tc, 'carl');
    const pause = '/api/v1/jobs/alpha.job/pause';
    const refused: [string, string, unknown, Record<string, string>][] = [
      ['POST', pause, undefined, {}],
      ['POST', pause, undefined, { 'x-csrf-token': 'wrong' }],
      ['POST', pause, undefined, { 'x-csrf-token': otherSession.csrfToken }],
      ['PUT', '/api/v1/teams/alpha', { description: 'x' }, {}],
      ['DELETE', '/api/v1/jobs/alpha.job', undefined, {}],
      ['POST', '/api/v1/tokens', { name: 'sneaky' }, {}],
      ['POST', '/api/v1/auth/logout', undefined, {}],
    ];
    for (const [method, path, body, headers] of refused) {
      expectError(await session.apiWithoutCsrf(method, path, body, headers), 403, 'csrf_failed');
    }
    const job = await session.apiWithoutCsrf<{ enabled: boolean }>('GET', '/api/v1/jobs/alpha.job');
    expect(job.status, 'reads need no CSRF token').toBe(200);
    expect(job.body.enabled, 'nothing refused was done').toBe(true);
    expect((await session.api('GET', '/api/v1/tokens')).body).toEqual({ items: [], nextCursor: null });
    expect((await session.api('GET', '/api/v1/auth/me')).status, 'still logged in').toBe(200);

    expect((await session.api<{ enabled: boolean }>('POST', pause)).body.enabled).toBe(false);
    const token = await session.api<{ token: string }>('POST', '/api/v1/tokens', { name: 'script' });
    expect(token.status).toBe(201);
    const resume = await tokenClient(tc, token.body.token)<{ enabled: boolean }>(
      'POST',
      '/api/v1/jobs/alpha.job/resume',
    );
    expect(resume.status, 'a bearer token needs no CSRF token').toBe(200);
    expect(resume.body.enabled).toBe(true);
  });

  it('ends every session of a user whose password changes', async () => {
    await createMember(tc, 'erin', { alpha: 'viewer' });
    const [first, second] = [await login(tc, 'erin'), await login(tc, 'erin')];
    const change = (password: string, currentPassword?: string) =>
      first.api('PUT', '/api/v1/users/erin/password', {
        password,
        ...(currentPassword === undefined ? {} : { currentPassword }),
      });
    const missing = await change('erin-new-password-1');
    expectError(missing, 400, 'validation_error');
    expect((missing.body as ErrorBody).error.field).toBe('currentPassword');
    expectError(await change('erin-new-password-1', 'not-my-password'), 400, 'validation_error');
    expectError(await change('short', PASSWORD), 400, 'validation_error');
    expect((await first.api('GET', '/api/v1/auth/me')).status, 'refused changes end nothing').toBe(200);

    expect((await change('erin-new-password-1', PASSWORD)).status).toBe(204);
    for (const session of [first, second]) {
      expectError(await session.api('GET', '/api/v1/auth/me'), 401, 'unauthorized');
    }
    expectError(await tryLogin(tc, 'erin', PASSWORD), 401, 'invalid_credentials');
    const third = await login(tc, 'erin', 'erin-new-password-1');

    // An admin's reset ends the user's sessions too.
    expect((await tc.api('PUT', '/api/v1/users/erin/password', { password: PASSWORD })).status).toBe(204);
    expectError(await third.api('GET', '/api/v1/auth/me'), 401, 'unauthorized');
    await login(tc, 'erin');
  });

  it('records the connecting address, not an X-Forwarded-For header it does not trust', async () => {
    await createMember(tc, 'fred');
    expect((await tryLogin(tc, 'fred', PASSWORD, { 'x-forwarded-for': '10.9.9.9' })).status).toBe(200);
    const entries = await tc.api<{ items: { ip: string; action: string }[] }>(
      'GET',
      '/api/v1/audit?actor=fred&action=auth.login',
    );
    expect(entries.body.items.map((e) => e.ip)).toEqual(['127.0.0.1']);
  });

  function sessionFrom(cookie: string, csrfToken: string) {
    return async (method: string, path: string) => {
      const res = await fetch(`${tc.url}${path}`, {
        method,
        headers: { cookie: `jobcenter_session=${cookie}`, 'x-csrf-token': csrfToken },
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
  }
});

describe.each(DIALECTS)('session expiry on %s', (dialect) => {
  guardProcesses();

  it('ends a session left idle past sessionIdleMs', async () => {
    const tc = await startCenter(dialect, { sessionIdleMs: 3_000, sessionMaxMs: 3_600_000 });
    try {
      await createMember(tc, 'idle');
      const session = await login(tc, 'idle');
      expect((await session.api('GET', '/api/v1/auth/me')).status).toBe(200);
      await sleep(6_500);
      expectError(await session.api('GET', '/api/v1/auth/me'), 401, 'session_expired');
      // The expired session is gone: it is now simply unknown.
      expectError(await session.api('GET', '/api/v1/auth/me'), 401, 'unauthorized');
      expect((await login(tc, 'idle')).me.name).toBe('idle');
    } finally {
      await tc.close();
    }
  });

  it('ends a session in use once sessionMaxMs has passed since login', async () => {
    const maxMs = 4_000;
    const tc = await startCenter(dialect, { sessionIdleMs: 3_600_000, sessionMaxMs: maxMs });
    try {
      await createMember(tc, 'busy');
      const loggedInAt = Date.now();
      const session = await login(tc, 'busy');
      let used = 0;
      const ended = await waitFor(
        async () => {
          const res = await session.api('GET', '/api/v1/auth/me');
          if (res.status === 200) used++;
          return res.status === 200 ? null : res;
        },
        'the session to reach its absolute expiry',
        20_000,
        200,
      );
      expectError(ended, 401, 'session_expired');
      expect(used, 'the session worked until then').toBeGreaterThan(0);
      expect(Date.now() - loggedInAt).toBeGreaterThanOrEqual(maxMs);
    } finally {
      await tc.close();
    }
  });
});

describe.each(DIALECTS)('login lockout on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;
  /** Client addresses come from X-Forwarded-For here, so one test can log in from several. */
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  beforeAll(async () => {
    tc = await startCenter(dialect, { trustProxy: true, loginMaxFailures: 3, loginAddressMaxFailures: 6 });
    await createMember(tc, 'victim');
    await createMember(tc, 'bystander');
  });
  afterAll(() => tc?.close());

  it('locks a user name after loginMaxFailures failures, even for the right password and from elsewhere', async () => {
    for (let i = 0; i < 3; i++) {
      expectError(
        await tryLogin(tc, 'victim', `guess-${i}-wrong`, from('10.0.0.1')),
        401,
        'invalid_credentials',
      );
    }
    const locked = await tryLogin(tc, 'victim', PASSWORD, from('10.0.0.1'));
    expectError(locked, 429, 'login_locked');
    expect(locked.cookie).toBeNull();
    expectError(await tryLogin(tc, 'VICTIM', PASSWORD, from('10.0.0.2')), 429, 'login_locked');

    // Other users still log in, from another address and from the one that failed (below its limit).
    expect((await tryLogin(tc, 'bystander', PASSWORD, from('10.0.0.2'))).status).toBe(200);
    expect((await tryLogin(tc, 'bystander', PASSWORD, from('10.0.0.1'))).status).toBe(200);

    const audit = await tc.api<{ items: { action: string; ip: string }[] }>(
      'GET',
      '/api/v1/audit?actor=victim&action=auth',
    );
    const actions = audit.body.items.map((e) => `${e.action} ${e.ip}`);
    expect(actions.filter((a) => a === 'auth.login_failed 10.0.0.1')).toHaveLength(3);
    expect(actions).toContain('auth.login_locked 10.0.0.2');
  });

  it('locks an address after loginAddressMaxFailures failures, whatever the user names', async () => {
    // Six names, one failure each: no name reaches its own limit of three.
    for (let i = 0; i < 6; i++) {
      expectError(
        await tryLogin(tc, `ghost-${i}`, 'wrong-password', from('10.0.0.3')),
        401,
        'invalid_credentials',
      );
    }
    expectError(await tryLogin(tc, 'bystander', PASSWORD, from('10.0.0.3')), 429, 'login_locked');
    expect((await tryLogin(tc, 'bystander', PASSWORD, from('10.0.0.4'))).status).toBe(200);
  });

  it('counts guesses sent in parallel: no more than the limit get their password checked', async () => {
    await createMember(tc, 'rushed');
    const statuses = async (attempts: Promise<{ status: number }>[]) =>
      (await Promise.all(attempts)).map((a) => a.status).sort();
    // Ten at once for one name, each from its own address: three checked, the rest refused.
    const byName = await statuses(
      Array.from({ length: 10 }, (_, i) => tryLogin(tc, 'rushed', `wrong-guess-${i}`, from(`10.1.0.${i}`))),
    );
    expect(byName).toEqual([...Array(3).fill(401), ...Array(7).fill(429)]);
    expectError(await tryLogin(tc, 'rushed', PASSWORD, from('10.1.1.1')), 429, 'login_locked');

    // Ten names at once from one address: six checked, the rest refused.
    const byAddress = await statuses(
      Array.from({ length: 10 }, (_, i) => tryLogin(tc, `rush-${i}`, 'wrong-guess', from('10.0.0.5'))),
    );
    expect(byAddress).toEqual([...Array(6).fill(401), ...Array(4).fill(429)]);
    expectError(await tryLogin(tc, 'bystander', PASSWORD, from('10.0.0.5')), 429, 'login_locked');
  });

  it('takes a right password off the address count', async () => {
    // Five failures from one address (limit six), then many good logins: the address stays open.
    for (let i = 0; i < 5; i++) {
      expectError(
        await tryLogin(tc, `nobody-${i}`, 'wrong-guess', from('10.0.0.7')),
        401,
        'invalid_credentials',
      );
    }
    for (let i = 0; i < 3; i++) {
      expect((await tryLogin(tc, 'bystander', PASSWORD, from('10.0.0.7'))).status).toBe(200);
    }
    expectError(await tryLogin(tc, 'nobody-5', 'wrong-guess', from('10.0.0.7')), 401, 'invalid_credentials');
    expectError(await tryLogin(tc, 'bystander', PASSWORD, from('10.0.0.7')), 429, 'login_locked');
  });
});

describe.each(DIALECTS)('login lock expiry on %s', (dialect) => {
  guardProcesses();

  it('lets the user in once loginLockMs has passed, and counts afresh', async () => {
    const tc = await startCenter(dialect, { loginMaxFailures: 2, loginLockMs: 1_000 });
    try {
      await createMember(tc, 'patient');
      for (let i = 0; i < 2; i++) {
        expectError(await tryLogin(tc, 'patient', 'wrong-guess'), 401, 'invalid_credentials');
      }
      expectError(await tryLogin(tc, 'patient', PASSWORD), 429, 'login_locked');
      // Attempts during the lock are refused unchecked and not counted; after it, the count starts afresh.
      await waitFor(
        async () => (await tryLogin(tc, 'patient', 'wrong-guess')).status === 401,
        'the lock to pass',
        20_000,
        250,
      );
      expectError(await tryLogin(tc, 'patient', 'wrong-guess'), 401, 'invalid_credentials');
      expectError(await tryLogin(tc, 'patient', PASSWORD), 429, 'login_locked');
      await waitFor(
        async () => (await tryLogin(tc, 'patient', PASSWORD)).status === 200,
        'the next lock to pass',
      );
    } finally {
      await tc.close();
    }
  });
});

describe.each(DIALECTS)('first admin on %s', (dialect) => {
  guardProcesses();

  it('writes a random admin password to <dataDir>/initial-admin-password (0600) when started without a bootstrap token', async () => {
    let tc = await startCenter(dialect, { bootstrapToken: undefined });
    try {
      const file = join(tc.db.dataDir, 'initial-admin-password');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const password = readFileSync(file, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(16);
      const admin = await login(tc, 'admin', password);
      expect(admin.me).toMatchObject({ name: 'admin', admin: true });
      expect((await admin.api('GET', '/api/v1/users')).status).toBe(200);
      expectError(await tokenClient(tc, ADMIN_TOKEN)('GET', '/api/v1/jobs'), 401, 'unauthorized');

      // Once a user exists, a restart creates no other admin and writes no file.
      rmSync(file);
      await tc.stop();
      tc = await startCenter(dialect, { bootstrapToken: undefined }, tc.db);
      expect(() => statSync(file)).toThrow();
      expect((await login(tc, 'admin', password)).me.admin).toBe(true);
    } finally {
      await tc.close();
    }
  });
});
