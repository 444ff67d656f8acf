/**
 * Who may call what: every role against every operation of the API, on
 * both dialects, through a real server on loopback with console sessions
 * (cookie and CSRF token). The operations come from the server's own
 * OpenAPI document, so a new endpoint without a row in
 * helpers/authz-rows.ts fails the test. Team boundaries beyond the matrix
 * are in authz-teams.test.ts.
 *
 * Team A (`alpha`) owns the targets; its job, group and runs are what each
 * row acts on. A caller with no role in team A must not even learn that
 * the target exists (the same 404 as for a missing one); a caller who may
 * read but not act gets 403 `forbidden`; nobody logged in gets 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type ErrorBody } from './helpers/accounts.js';
import { ROLES, type RoleName, setUpTeams, type Target } from './helpers/authz-fixture.js';
import { expectation, ROWS, rowName } from './helpers/authz-rows.js';
import { type Api, startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';

const DIALECTS = await dialects();

describe.each(DIALECTS)('authorization matrix on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;
  let target: Target;
  let clients: Record<RoleName, Api>;

  beforeAll(async () => {
    // Logins of the logout row all come from 127.0.0.1: no address lockout here.
    tc = await startCenter(dialect, { loginAddressMaxFailures: 10_000 });
    ({ clients, target } = await setUpTeams(tc));
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
