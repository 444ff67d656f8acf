/**
 * Directory users log in to a running JobCenter against a real OpenLDAP:
 * created on first login, directory groups mapped to teams and roles,
 * roles re-read at each login, and local users unaffected when the
 * directory is down.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryConfig } from '../src/auth/directory-config.js';
import { ADMIN_HEADERS, apiClient, startCenter, type TestCenter } from './helpers/center.js';
import { guardProcesses } from './helpers/guard.js';
import {
  GROUPS_DN,
  groupDn,
  PEOPLE_DN,
  passwordOf,
  type Slapd,
  slapdAvailable,
  startSlapd,
  userDn,
} from './helpers/slapd.js';

guardProcesses();

interface Me {
  user: {
    name: string;
    source: string;
    admin: boolean;
    email: string | null;
    teams: { team: string; role: string }[];
  };
  csrfToken: string;
}
type Err = { error: { code: string; message: string } };

/** Logs in through the API; answers the status, body and an API client carrying the session. */
async function login(tc: TestCenter, username: string, password: string) {
  const res = await fetch(`${tc.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as Me & Err;
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
  const api = apiClient(tc.url, { cookie, 'x-csrf-token': body.csrfToken ?? '' });
  return { status: res.status, body, api };
}

describe.each(['sqlite', 'postgres'] as const)('directory login, on %s', (dialect) => {
  const available = slapdAvailable();
  let slapd: Slapd;
  let tc: TestCenter;

  // Per test: the process guard counts a slapd that outlives its test as a leak.
  beforeEach(async () => {
    if (!available) return;
    slapd = await startSlapd();
    const directory = {
      url: slapd.url,
      bindDn: slapd.serviceDn,
      bindPassword: slapd.servicePassword,
      userBase: PEOPLE_DN,
      groupBase: GROUPS_DN,
      groups: [
        { group: groupDn('jobcenter-admins'), admin: true },
        { group: groupDn('billing-dev'), team: 'billing', role: 'editor' },
        { group: groupDn('billing-ops'), team: 'billing', role: 'operator' },
        { group: groupDn('reports-viewers'), team: 'reports', role: 'viewer' },
      ],
    };
    // Raw JSON, as it would come from the config file: loadConfig validates it.
    tc = await startCenter(dialect, { directory: directory as unknown as DirectoryConfig });
    await tc.api('POST', '/api/v1/worker-groups', { name: 'billing-workers', team: 'billing', members: [] });
    await tc.api('POST', '/api/v1/users', {
      name: 'local-admin',
      password: 'local-admin-password',
      admin: true,
    });
  });
  afterEach(async () => {
    await tc?.close();
    await slapd?.stop();
  });

  it.skipIf(!available)(
    'creates the user at first login with the directory profile and mapped roles',
    async () => {
      const alice = await login(tc, 'Alice', passwordOf('alice'));
      expect(alice.status).toBe(200);
      expect(alice.body.user).toMatchObject({
        name: 'alice',
        source: 'directory',
        admin: false,
        email: 'alice@example.com',
      });
      expect(alice.body.user.teams).toEqual(
        expect.arrayContaining([
          { team: 'billing', role: 'editor' },
          { team: 'reports', role: 'viewer' },
        ]),
      );
      // The editor role works: a job in billing on billing's group.
      const job = await alice.api('POST', '/api/v1/jobs', {
        name: 'dir-refunds',
        team: 'billing',
        schedule: { cron: '0 0 1 1 *' },
        target: { group: 'billing-workers', path: '/x' },
      });
      expect(job.status).toBe(201);
      // Viewer in reports: no job there.
      const denied = await alice.api<Err>('POST', '/api/v1/jobs', {
        name: 'dir-report',
        team: 'reports',
        schedule: { cron: '0 0 1 1 *' },
        target: { url: 'http://127.0.0.1:9/x' },
      });
      expect(denied.status).toBe(403);
      const carol = await login(tc, 'carol', passwordOf('carol'));
      expect(carol.body.user.admin).toBe(true);
      const users = await tc.api<{ items: { name: string; source: string }[] }>('GET', '/api/v1/users');
      expect(users.body.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'alice', source: 'directory' })]),
      );
    },
  );

  it.skipIf(!available)('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await login(tc, 'bob', 'not-bobs-password');
    const unknown = await login(tc, 'mallory', 'whatever-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(unknown.body.error).toEqual(wrong.body.error);
    const injected = await login(tc, 'alice)(uid=*', passwordOf('alice'));
    expect(injected.status).toBe(401);
  });

  it.skipIf(!available)(
    'a user removed from a directory group loses that role at the next login',
    async () => {
      const first = await login(tc, 'bob', passwordOf('bob'));
      expect(first.body.user.teams).toContainEqual({ team: 'billing', role: 'operator' });
      await tc.api('POST', '/api/v1/jobs', {
        name: 'dir-billing-job',
        team: 'billing',
        schedule: { cron: '0 0 1 1 *' },
        target: { group: 'billing-workers', path: '/y' },
      });
      expect((await first.api('POST', '/api/v1/jobs/dir-billing-job/pause')).status).toBe(200);
      await slapd.modify(
        `dn: ${groupDn('billing-ops')}\nchangetype: modify\ndelete: member\nmember: ${userDn('bob')}\n`,
      );
      const again = await login(tc, 'bob', passwordOf('bob'));
      expect(again.status).toBe(200);
      expect(again.body.user.teams).not.toContainEqual(expect.objectContaining({ team: 'billing' }));
      expect((await again.api<Err>('GET', '/api/v1/jobs/dir-billing-job')).status).toBe(404);
      expect((await again.api<Err>('POST', '/api/v1/jobs/dir-billing-job/resume')).status).toBe(404);
      // A role given in JobCenter itself stays: it is not the directory's.
      await tc.api('PUT', '/api/v1/teams/billing/members/bob', { role: 'viewer' });
      const third = await login(tc, 'bob', passwordOf('bob'));
      expect(third.body.user.teams).toContainEqual({ team: 'billing', role: 'viewer' });
    },
  );

  it.skipIf(!available)(
    'directory down: a clear 503 for directory users, local users still log in',
    async () => {
      await slapd.stop();
      const alice = await login(tc, 'alice', passwordOf('alice'));
      expect(alice.status).toBe(503);
      expect(alice.body.error.code).toBe('directory_unavailable');
      expect(alice.body.error.message).toContain(slapd.url);
      const local = await login(tc, 'local-admin', 'local-admin-password');
      expect(local.status).toBe(200);
      expect(local.body.user).toMatchObject({ name: 'local-admin', source: 'local', admin: true });
      // The bootstrap token never needed the directory.
      expect((await apiClient(tc.url, ADMIN_HEADERS)('GET', '/api/v1/jobs')).status).toBe(200);
    },
  );
});
