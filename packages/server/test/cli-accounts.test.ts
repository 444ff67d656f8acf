/**
 * `jobcenter user …` and `jobcenter token …` on the store directly, then
 * the accounts they made used against a running server, on both dialects.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, startCenter, type TestCenter } from './helpers/center.js';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { CLI } from './helpers/processes.js';

guardProcesses();
const DIALECTS = await dialects();

describe.each(DIALECTS)('account CLI on %s', (dialect) => {
  let db: TestDatabase | null = null;
  let tc: TestCenter | null = null;
  afterEach(async () => {
    await tc?.stop();
    await db?.drop();
    tc = null;
    db = null;
  });

  /** Runs the CLI against the test database; answers exit code, stdout, stderr. */
  function cli(args: string[], input?: string) {
    const store = db?.databaseUrl ? ['--database-url', db.databaseUrl] : ['--data-dir', db?.dataDir ?? ''];
    const env: NodeJS.ProcessEnv = { ...process.env, JOBCENTER_LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    const result = spawnSync(process.execPath, [CLI, ...args, ...store], {
      encoding: 'utf8',
      input,
      env,
      timeout: 30_000,
    });
    return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  }

  it('creates users and tokens that then log in and call the API; revoked and disabled stop at once', async () => {
    db = await createTestDatabase(dialect);
    const admin = cli(['user', 'add', 'root', '--admin']);
    expect(admin.code, admin.stderr).toBe(0);
    const rootPassword = admin.stdout;
    expect(rootPassword.length).toBeGreaterThanOrEqual(20);
    const alice = cli(
      ['user', 'add', 'alice', '--password-stdin', '--email', 'alice@example.com'],
      'alice-long-password\n',
    );
    expect(alice.code, alice.stderr).toBe(0);
    expect(alice.stdout, 'no password printed when it came from stdin').toBe('');
    const made = cli(['token', 'create', '--user', 'root', '--name', 'deploy', '--expires-in', '30d']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^jc_[A-Za-z0-9_-]{43}$/);

    tc = await startCenter(dialect, { bootstrapToken: undefined }, db);
    const byToken = apiClient(tc.url, { authorization: `Bearer ${made.stdout}` });
    expect((await byToken('GET', '/api/v1/auth/me')).body).toMatchObject({
      user: { name: 'root', admin: true },
    });
    const login = await apiClient(tc.url)('POST', '/api/v1/auth/login', {
      username: 'root',
      password: rootPassword,
    });
    expect(login.status).toBe(200);
    const aliceLogin = await apiClient(tc.url)('POST', '/api/v1/auth/login', {
      username: 'alice',
      password: 'alice-long-password',
    });
    expect(aliceLogin.status).toBe(200);

    const listed = cli(['token', 'list']);
    expect(listed.stdout).toContain('deploy');
    expect(listed.stdout).not.toContain(made.stdout);
    const id = /^(\S{26})\s+root\s+deploy/m.exec(listed.stdout)?.[1];
    expect(id).toBeDefined();
    expect(cli(['token', 'revoke', id as string]).code).toBe(0);
    expect((await byToken('GET', '/api/v1/jobs')).status).toBe(401);

    const aliceToken = cli(['token', 'create', '--user', 'alice', '--name', 'a']).stdout;
    const asAlice = apiClient(tc.url, { authorization: `Bearer ${aliceToken}` });
    expect((await asAlice('GET', '/api/v1/jobs')).status).toBe(200);
    expect(cli(['user', 'disable', 'alice']).code).toBe(0);
    expect((await asAlice('GET', '/api/v1/jobs')).status).toBe(401);
    const users = cli(['user', 'list']);
    expect(users.stdout).toMatch(/^alice\s+local\s+no\s+yes/m);

    const passwd = cli(['user', 'passwd', 'root']);
    expect(passwd.code).toBe(0);
    expect(
      (await apiClient(tc.url)('POST', '/api/v1/auth/login', { username: 'root', password: rootPassword }))
        .status,
    ).toBe(401);
    expect(
      (await apiClient(tc.url)('POST', '/api/v1/auth/login', { username: 'root', password: passwd.stdout }))
        .status,
    ).toBe(200);
    const audit = await apiClient(tc.url, {
      authorization: `Bearer ${cli(['token', 'create', '--user', 'root', '--name', 'b']).stdout}`,
    })<{
      items: { action: string; actor: string }[];
    }>('GET', '/api/v1/audit?action=token');
    expect(audit.body.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['token.create', 'token.revoke']),
    );
    expect(audit.body.items.every((e) => e.actor.startsWith('cli:'))).toBe(true);
  });

  it('refuses bad input with exit code 2 and a message naming the problem, writing nothing', async () => {
    db = await createTestDatabase(dialect);
    const bad = cli(['user', 'add', 'Bad Name']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/name: must match/);
    const short = cli(['user', 'add', 'bob', '--password-stdin'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/password: must be at least 10 characters/);
    expect(cli(['user', 'list']).stdout).not.toMatch(/^bob/m);
    expect(cli(['user', 'add', 'carol']).code).toBe(0);
    const twice = cli(['user', 'add', 'carol']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/a user named carol exists/);
    const scope = cli(['token', 'create', '--user', 'carol', '--name', 'x', '--scope', 'billing:boss']);
    expect(scope.code).toBe(2);
    expect(scope.stderr).toMatch(/--scope: expected/);
    const wider = cli(['token', 'create', '--user', 'carol', '--name', 'x', '--scope', 'admin']);
    expect(wider.code).toBe(2);
    expect(wider.stderr).toMatch(/only an admin may create an admin token/);
    const nobody = cli(['token', 'create', '--user', 'nobody', '--name', 'x']);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(/no user nobody/);
    expect(cli(['token', 'list']).stdout.split('\n')).toHaveLength(1);
    expect(cli(['token', 'revoke', '01JAAAAAAAAAAAAAAAAAAAAAAA']).code).toBe(2);
  });
});
