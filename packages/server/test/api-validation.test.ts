/**
 * Bad input on every endpoint answers 400/404/409 with an error that names
 * the problem, and leaves nothing half-written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS, startCenter, type TestCenter } from './helpers/center.js';

type Err = { error: { code: string; message: string; field?: string } };

describe('API input validation (sqlite)', () => {
  let tc: TestCenter;
  const valid = {
    name: 'billing.refund-sweep',
    schedule: { cron: '0 */5 * * * *', timezone: 'Asia/Shanghai' },
    target: { group: 'billing-workers', path: '/jobs/refund-sweep' },
  };

  beforeAll(async () => {
    tc = await startCenter('sqlite');
    const g = await tc.api('POST', '/api/v1/worker-groups', {
      name: 'billing-workers',
      members: [{ url: 'http://127.0.0.1:9' }],
    });
    expect(g.status).toBe(201);
  });
  afterAll(() => tc?.close());

  async function expectError(
    method: string,
    path: string,
    body: unknown,
    status: number,
    code: string,
    field?: string,
  ) {
    const res = await tc.api<Err>(method, path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.length).toBeGreaterThan(3);
    if (field !== undefined) expect(res.body.error.field).toBe(field);
    return res.body.error;
  }

  const jobCases: [string, Record<string, unknown>, string, string][] = [
    ['missing name', { ...valid, name: undefined }, 'validation_error', 'name'],
    ['upper-case name', { ...valid, name: 'Billing' }, 'validation_error', 'name'],
    ['name too long', { ...valid, name: 'a'.repeat(129) }, 'validation_error', 'name'],
    ['missing schedule', { ...valid, schedule: undefined }, 'validation_error', 'schedule'],
    [
      '7 cron fields',
      { ...valid, schedule: { cron: '0 0 0 * * * 2027' } },
      'validation_error',
      'schedule.cron',
    ],
    ['4 cron fields', { ...valid, schedule: { cron: '0 0 * *' } }, 'validation_error', 'schedule.cron'],
    ['minute 61', { ...valid, schedule: { cron: '61 * * * *' } }, 'validation_error', 'schedule.cron'],
    [
      'unknown zone',
      { ...valid, schedule: { cron: '* * * * *', timezone: 'Mars/Base' } },
      'validation_error',
      'schedule.timezone',
    ],
    ['never fires', { ...valid, schedule: { cron: '0 0 30 2 *' } }, 'validation_error', 'schedule.cron'],
    ['no target', { ...valid, target: undefined }, 'validation_error', 'target'],
    [
      'group and url',
      { ...valid, target: { group: 'billing-workers', path: '/x', url: 'http://h/x' } },
      'validation_error',
      'target',
    ],
    [
      'group without path',
      { ...valid, target: { group: 'billing-workers' } },
      'validation_error',
      'target.path',
    ],
    [
      'unknown group',
      { ...valid, target: { group: 'nope', path: '/x' } },
      'validation_error',
      'target.group',
    ],
    ['relative url', { ...valid, target: { url: 'ftp://x' } }, 'validation_error', 'target.url'],
    [
      'bad method',
      { ...valid, target: { ...valid.target, method: 'PUT' } },
      'validation_error',
      'target.method',
    ],
    [
      'reserved header',
      { ...valid, target: { ...valid.target, headers: { 'X-JobCenter-Run': 'x' } } },
      'validation_error',
      'target.headers.X-JobCenter-Run',
    ],
    [
      'negative connect timeout',
      { ...valid, target: { ...valid.target, connectTimeoutMs: -1 } },
      'validation_error',
      'target.connectTimeoutMs',
    ],
    ['unknown routing', { ...valid, routing: 'fastest' }, 'validation_error', 'routing'],
    [
      'deadline below timeout',
      { ...valid, timeoutSec: 600, deadlineSec: 60 },
      'validation_error',
      'deadlineSec',
    ],
    ['four decimals', { ...valid, timeoutSec: 1.0005 }, 'validation_error', 'timeoutSec'],
    ['zero timeout', { ...valid, timeoutSec: 0 }, 'validation_error', 'timeoutSec'],
    ['timeout as string', { ...valid, timeoutSec: 'soon' }, 'validation_error', 'timeoutSec'],
    ['negative retry', { ...valid, retry: { count: -1 } }, 'validation_error', 'retry.count'],
    ['bad misfire', { ...valid, misfire: 'always' }, 'validation_error', 'misfire'],
    [
      'bad recipient',
      { ...valid, alerts: { recipients: ['bob'] } },
      'validation_error',
      'alerts.recipients.0',
    ],
    ['bad alert event', { ...valid, alerts: { on: ['exploded'] } }, 'validation_error', 'alerts.on.0'],
    ['unknown field', { ...valid, shedule: {} }, 'validation_error', 'shedule'],
    ['params not an object', { ...valid, params: [1, 2] }, 'validation_error', 'params'],
  ];

  it.each(jobCases)('POST /jobs refuses %s and writes nothing', async (_label, body, code, field) => {
    await expectError('POST', '/api/v1/jobs', body, 400, code, field);
    const list = await tc.api<{ items: unknown[] }>('GET', '/api/v1/jobs');
    expect(list.body.items).toHaveLength(0);
  });

  it('explains the problem in the message', async () => {
    const err = await expectError(
      'POST',
      '/api/v1/jobs',
      { ...valid, schedule: { cron: '1 2 3' } },
      400,
      'validation_error',
      'schedule.cron',
    );
    expect(err.message).toMatch(/^schedule\.cron: expected 5 or 6 fields, got 3/);
  });

  it('refuses malformed JSON and non-JSON bodies', async () => {
    const bad = await fetch(`${tc.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Err).error.code).toBe('validation_error');
    const text = await fetch(`${tc.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { ...ADMIN_HEADERS, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
  });

  it('answers 409 for a duplicate name and keeps the first job unchanged', async () => {
    const first = await tc.api<{ id: string }>('POST', '/api/v1/jobs', {
      ...valid,
      name: 'dup',
      description: 'first',
    });
    expect(first.status).toBe(201);
    await expectError(
      'POST',
      '/api/v1/jobs',
      { ...valid, name: 'dup', description: 'second' },
      409,
      'duplicate_name',
      'name',
    );
    const read = await tc.api<{ description: string; id: string }>('GET', '/api/v1/jobs/dup');
    expect(read.body).toMatchObject({ id: first.body.id, description: 'first' });
  });

  it('PUT validates like POST and leaves the job as it was on error; renaming onto another name is 409', async () => {
    await tc.api('POST', '/api/v1/jobs', { ...valid, name: 'put-a', description: 'a' });
    await tc.api('POST', '/api/v1/jobs', { ...valid, name: 'put-b' });
    await expectError(
      'PUT',
      '/api/v1/jobs/put-a',
      { ...valid, name: 'put-a', schedule: { cron: 'nope' } },
      400,
      'validation_error',
      'schedule.cron',
    );
    await expectError('PUT', '/api/v1/jobs/put-a', { ...valid, name: 'put-b' }, 409, 'duplicate_name');
    await expectError('PUT', '/api/v1/jobs/missing', valid, 404, 'job_not_found');
    const read = await tc.api<{ description: string; name: string }>('GET', '/api/v1/jobs/put-a');
    expect(read.body).toMatchObject({ name: 'put-a', description: 'a' });
  });

  it('answers 404 for unknown jobs, runs and groups on every call', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/jobs/nope'],
      ['DELETE', '/api/v1/jobs/nope'],
      ['POST', '/api/v1/jobs/nope/pause'],
      ['POST', '/api/v1/jobs/nope/resume'],
      ['POST', '/api/v1/jobs/nope/trigger'],
      ['GET', '/api/v1/jobs/nope/runs'],
      ['GET', '/api/v1/jobs/nope/trend'],
      ['GET', '/api/v1/runs/01JAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/v1/worker-groups/nope'],
      ['DELETE', '/api/v1/worker-groups/nope'],
      ['GET', '/api/v1/no-such-route'],
    ] as const) {
      const res = await tc.api<Err>(method, path, method === 'POST' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toMatch(/not_found$/);
    }
  });

  it('validates list queries, cursors and time ranges', async () => {
    await expectError('GET', '/api/v1/jobs?limit=501', undefined, 400, 'validation_error', 'limit');
    await expectError('GET', '/api/v1/jobs?limit=0', undefined, 400, 'validation_error', 'limit');
    await expectError('GET', '/api/v1/jobs?status=sleeping', undefined, 400, 'validation_error', 'status');
    await expectError('GET', '/api/v1/jobs?cursor=garbage', undefined, 400, 'invalid_cursor', 'cursor');
    await expectError(
      'GET',
      '/api/v1/jobs/dup/runs?from=yesterday',
      undefined,
      400,
      'validation_error',
      'from',
    );
    await expectError(
      'GET',
      '/api/v1/jobs/dup/trend?from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z',
      undefined,
      400,
      'validation_error',
      'from',
    );
  });

  it('validates worker groups: bad URL, duplicate member, duplicate name, rename, delete in use', async () => {
    await expectError(
      'POST',
      '/api/v1/worker-groups',
      { name: 'g1', members: [{ url: 'not a url' }] },
      400,
      'validation_error',
      'members.0.url',
    );
    await expectError(
      'POST',
      '/api/v1/worker-groups',
      { name: 'g1', members: [{ url: 'http://a:1' }, { url: 'http://a:1/' }] },
      400,
      'validation_error',
      'members.1.url',
    );
    expect((await tc.api('GET', '/api/v1/worker-groups/g1')).status, 'nothing written').toBe(404);
    await expectError(
      'POST',
      '/api/v1/worker-groups',
      { name: 'billing-workers' },
      409,
      'duplicate_name',
      'name',
    );
    await expectError(
      'PUT',
      '/api/v1/worker-groups/billing-workers',
      { name: 'renamed' },
      409,
      'group_rename_in_use',
      'name',
    );
    await expectError('DELETE', '/api/v1/worker-groups/billing-workers', undefined, 409, 'group_in_use');
  });

  it('validates run-now params and cron previews', async () => {
    await expectError('POST', '/api/v1/jobs/dup/trigger', { params: 'x' }, 400, 'validation_error', 'params');
    await expectError('POST', '/api/v1/jobs/dup/trigger', { extra: 1 }, 400, 'validation_error', 'extra');
    await expectError('POST', '/api/v1/cron/preview', { cron: '* * *' }, 400, 'validation_error', 'cron');
    await expectError(
      'POST',
      '/api/v1/cron/preview',
      { cron: '* * * * *', count: 101 },
      400,
      'validation_error',
      'count',
    );
    await expectError(
      'POST',
      '/api/v1/cron/preview',
      { cron: '* * * * *', timezone: 'Nowhere/City' },
      400,
      'validation_error',
      'timezone',
    );
  });

  it('previews fires in the job zone with local offsets', async () => {
    const res = await tc.api<{ fires: { at: string; local: string }[] }>('POST', '/api/v1/cron/preview', {
      cron: '30 2 * * *',
      timezone: 'America/New_York',
      count: 3,
      from: '2027-03-12T12:00:00.000Z',
    });
    expect(res.status).toBe(200);
    expect(res.body.fires).toEqual([
      { at: '2027-03-13T07:30:00.000Z', local: '2027-03-13T02:30:00-05:00' },
      { at: '2027-03-14T07:00:00.000Z', local: '2027-03-14T03:00:00-04:00' },
      { at: '2027-03-15T06:30:00.000Z', local: '2027-03-15T02:30:00-04:00' },
    ]);
  });

  it('lists with filters and cursor pagination', async () => {
    for (const [name, team, tags] of [
      ['page.a', 'ops', ['x']],
      ['page.b', 'ops', ['y']],
      ['page.c', 'dev', ['x']],
    ] as const) {
      expect((await tc.api('POST', '/api/v1/jobs', { ...valid, name, team, tags })).status).toBe(201);
    }
    const byTeam = await tc.api<{ items: { name: string }[] }>('GET', '/api/v1/jobs?team=ops');
    expect(byTeam.body.items.map((j) => j.name)).toEqual(['page.a', 'page.b']);
    const byTag = await tc.api<{ items: { name: string }[] }>('GET', '/api/v1/jobs?tag=x&q=page');
    expect(byTag.body.items.map((j) => j.name)).toEqual(['page.a', 'page.c']);
    const p1 = await tc.api<{ items: { name: string }[]; nextCursor: string }>(
      'GET',
      '/api/v1/jobs?q=page&limit=2',
    );
    expect(p1.body.items.map((j) => j.name)).toEqual(['page.a', 'page.b']);
    const p2 = await tc.api<{ items: { name: string }[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/jobs?q=page&limit=2&cursor=${p1.body.nextCursor}`,
    );
    expect(p2.body.items.map((j) => j.name)).toEqual(['page.c']);
    expect(p2.body.nextCursor).toBeNull();
    const paused = await tc.api<{ items: unknown[] }>('GET', '/api/v1/jobs?status=paused');
    expect(paused.body.items).toHaveLength(0);
  });

  it('runs now with no body at all', async () => {
    const res = await fetch(`${tc.url}/api/v1/jobs/dup/trigger`, { method: 'POST', headers: ADMIN_HEADERS });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { trigger: string }).trigger).toBe('manual');
  });

  it('searches names with LIKE wildcards taken literally', async () => {
    for (const name of ['tmp_under', 'tmpxunder', 'pct%job']) {
      expect((await tc.api('POST', '/api/v1/jobs', { ...valid, name: name.replace('%', '') })).status).toBe(
        201,
      );
    }
    const under = await tc.api<{ items: { name: string }[] }>('GET', '/api/v1/jobs?q=tmp_under');
    expect(under.body.items.map((j) => j.name)).toEqual(['tmp_under']);
    const pct = await tc.api<{ items: { name: string }[] }>('GET', '/api/v1/jobs?q=%25');
    expect(pct.body.items).toEqual([]);
  });

  it('reveals and rotates the own secret of a job with an absolute url, and shows it when PUT creates it', async () => {
    const created = await tc.api<{ secret: string }>('POST', '/api/v1/jobs', {
      ...valid,
      name: 'own-secret',
      target: { url: 'http://127.0.0.1:9/x' },
    });
    const revealed = await tc.api<{ secret: string }>('POST', '/api/v1/jobs/own-secret/secret/reveal');
    expect(revealed.body.secret).toBe(created.body.secret);
    const rotated = await tc.api<{ secret: string }>('POST', '/api/v1/jobs/own-secret/secret/rotate');
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(
      (await tc.api<{ secret: string }>('POST', '/api/v1/jobs/own-secret/secret/reveal')).body.secret,
    ).toBe(rotated.body.secret);
    await expectError('POST', '/api/v1/jobs/dup/secret/reveal', undefined, 400, 'validation_error', 'target');

    await tc.api('POST', '/api/v1/jobs', { ...valid, name: 'moves-to-url' });
    const moved = await tc.api<{ secret?: string }>('PUT', '/api/v1/jobs/moves-to-url', {
      ...valid,
      name: 'moves-to-url',
      target: { url: 'http://127.0.0.1:9/y' },
    });
    expect(moved.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await tc.api<{ secret?: string }>('PUT', '/api/v1/jobs/moves-to-url', {
      ...valid,
      name: 'moves-to-url',
      target: { url: 'http://127.0.0.1:9/z' },
    });
    expect(again.body.secret, 'shown only when created').toBeUndefined();
  });

  it('serves the console at the root, or how to build it', async () => {
    const res = await fetch(`${tc.url}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<div id="root">|npm run build/);
  });

  it('serves the OpenAPI document and the reference page', async () => {
    const doc = await tc.api<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      '/api/v1/openapi.json',
    );
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/jobs',
        '/api/v1/jobs/{job}/trigger',
        '/api/v1/callbacks/{runId}/result',
      ]),
    );
    const page = await fetch(`${tc.url}/api/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/swagger/i);
  });
});
