/**
 * Worker-group members end to end on both dialects: signed heartbeats,
 * dynamic members that receive triggers and expire, and groups in use that
 * keep their name. Real JobCenter, real worker processes on loopback, real
 * database. Health is in member-health.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import {
  type ErrorBody,
  type GroupBody,
  type HeartbeatAnswer,
  memberCalls,
  sign,
} from './helpers/members.js';
import { startWorker } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();
const TOKEN = 'members-test-token';

describe.each(DIALECTS)('worker-group members on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;
  const { secrets, createGroup, heartbeat, readGroup, member, createJob, runNow, finished } = memberCalls(
    () => tc,
  );

  beforeAll(async () => {
    tc = await startCenter(dialect, {
      bootstrapToken: TOKEN,
      memberExpiryMs: 1_500,
      memberRefreshMs: 100,
      memberFailureThreshold: 2,
      memberProbeTimeoutMs: 500,
    });
    tc.api = apiClient(tc.url, { authorization: `Bearer ${TOKEN}` });
  });
  afterAll(() => tc?.close());

  it('takes signed heartbeats and refuses unsigned, wrongly signed, stale, misaddressed and malformed ones', async () => {
    await createGroup({ name: 'beats', members: [{ url: 'http://127.0.0.1:9/listed', name: 'listed' }] });
    const body = { url: 'http://10.1.2.3:9090/', name: 'w-3' };

    const ok = await heartbeat('beats', body);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ group: 'beats', url: 'http://10.1.2.3:9090', dynamic: true });
    expect(Date.parse(ok.body.expiresAt as string) - Date.parse(ok.body.lastSeenAt as string)).toBe(1_500);
    expect(await member('beats', 'http://10.1.2.3:9090')).toMatchObject({
      name: 'w-3',
      dynamic: true,
      healthy: true,
      runningCount: 0,
      lastError: null,
      lastErrorAt: null,
      lastSeenAt: ok.body.lastSeenAt,
    });

    const fromListed = await heartbeat('beats', { url: 'http://127.0.0.1:9/listed' });
    expect(fromListed.body, 'a listed member is only marked seen').toMatchObject({
      dynamic: false,
      expiresAt: null,
    });
    expect(await member('beats', 'http://127.0.0.1:9/listed')).toMatchObject({
      name: 'listed',
      dynamic: false,
      lastSeenAt: fromListed.body.lastSeenAt,
    });

    const refused: [HeartbeatAnswer, number, string, string?][] = [
      [await heartbeat('beats', body, { signature: null }), 401, 'signature_missing'],
      [await heartbeat('beats', body, { signature: 't=1,v1=zz' }), 401, 'signature_malformed'],
      [await heartbeat('beats', body, { secret: 'not-the-group-secret-at-all' }), 401, 'signature_mismatch'],
      [await heartbeat('beats', body, { tSec: Math.floor(Date.now() / 1000) - 400 }), 401, 'signature_stale'],
      [await heartbeat('nowhere', body), 404, 'group_not_found'],
      [await heartbeat('beats', { url: 'ftp://10.1.2.3' }), 400, 'validation_error', 'url'],
      [await heartbeat('beats', { name: 'no-url' }), 400, 'validation_error', 'url'],
      [await heartbeat('beats', { ...body, colour: 'red' }), 400, 'validation_error', 'colour'],
      [await heartbeat('beats', '{"url": '), 400, 'validation_error', 'body'],
      // Unsigned, the body's shape is not even looked at.
      [await heartbeat('beats', '{"url": ', { signature: null }), 401, 'signature_missing'],
    ];
    for (const [res, status, code, field] of refused) {
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      const error = (res.body as ErrorBody).error;
      expect(error.code).toBe(code);
      if (field) expect(error.field).toBe(field);
    }
    // The signature covers the bytes: the same JSON spaced differently does not match.
    const raw = JSON.stringify(body);
    const respaced = await fetch(`${tc.url}/api/v1/worker-groups/beats/heartbeat`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-jobcenter-signature': sign(secrets.get('beats') as string, raw),
      },
      body: JSON.stringify(body, null, 1),
    });
    expect(respaced.status).toBe(401);
    expect((await readGroup('beats')).members, 'nothing refused was recorded').toHaveLength(2);
  });

  it('sends triggers to dynamic members after the listed ones, and stops when they fall silent', async () => {
    const [w1, w2] = await Promise.all([startWorker('d1'), startWorker('d2')]);
    try {
      await createGroup({ name: 'dyn', members: [{ url: 'http://127.0.0.1:9' }] });
      expect((await heartbeat('dyn', { url: w1.url, name: 'd1' })).status).toBe(200);
      expect((await heartbeat('dyn', { url: w2.url, name: 'd2' })).status).toBe(200);
      expect((await readGroup('dyn')).members.map((m) => m.url)).toEqual([
        'http://127.0.0.1:9',
        w1.url,
        w2.url,
      ]);

      // `first` routing walks the group's order: the dead listed member, then the first dynamic one.
      const job = await createJob({
        name: 'dyn.first',
        target: { group: 'dyn', path: '/sync-ok' },
        routing: 'first',
        delivery: 'until_delivered',
      });
      const run = await finished((await runNow(job)).id);
      expect(run).toMatchObject({ status: 'succeeded', member: w1.url });

      // Only w2 keeps beating: w1 expires, leaves the API's list and the routing.
      const beating = setInterval(() => void heartbeat('dyn', { url: w2.url }), 200);
      try {
        await waitFor(
          async () => !(await readGroup('dyn')).members.some((m) => m.url === w1.url),
          'd1 to expire',
        );
        await waitFor(async () => {
          const next = await finished((await runNow(job)).id);
          return next.member === w2.url ? next : null;
        }, 'a trigger to reach d2 once d1 left');
      } finally {
        clearInterval(beating);
      }
      await waitFor(async () => (await readGroup('dyn')).members.length === 1, 'd2 to expire too');
      const once = await createJob({ name: 'dyn.once', target: { group: 'dyn', path: '/sync-ok' } });
      const last = await waitFor(async () => {
        const next = await finished((await runNow(once)).id);
        return next.member === null ? next : null;
      }, 'a trigger that finds only the dead listed member');
      expect(last.status).toBe('failed');
    } finally {
      await Promise.all([w1.stop(), w2.stop()]);
    }
  });

  it('keeps the name of a group in use and refuses to delete it; renames one nobody uses', async () => {
    await createGroup({ name: 'in-use', members: [{ url: 'http://127.0.0.1:9' }] });
    await createJob({ name: 'in-use.a', target: { group: 'in-use', path: '/x' } });
    await createJob({ name: 'in-use.b', target: { group: 'in-use', path: '/x' } });
    expect((await heartbeat('in-use', { url: 'http://10.9.9.9:1' })).status).toBe(200);
    const before = await readGroup('in-use');

    const rename = await tc.api<ErrorBody>('PUT', '/api/v1/worker-groups/in-use', {
      name: 'in-use-2',
      members: [],
    });
    expect(rename.status).toBe(409);
    expect(rename.body.error).toMatchObject({ code: 'group_rename_in_use', field: 'name' });
    expect(rename.body.error.message).toMatch(/2 job\(s\)/);
    const del = await tc.api<ErrorBody>('DELETE', '/api/v1/worker-groups/in-use');
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('group_in_use');
    expect(del.body.error.message).toMatch(/2 job\(s\)/);
    expect((await tc.api('GET', '/api/v1/worker-groups/in-use-2')).status).toBe(404);
    expect(
      (await readGroup('in-use')).members.map((m) => m.url),
      'nothing changed',
    ).toEqual(before.members.map((m) => m.url));

    await createGroup({ name: 'unused', members: [{ url: 'http://127.0.0.1:9' }] });
    expect((await heartbeat('unused', { url: 'http://10.9.9.8:1' })).status).toBe(200);
    const renamed = await tc.api<GroupBody>('PUT', '/api/v1/worker-groups/unused', {
      name: 'unused-2',
      members: [{ url: 'http://127.0.0.1:10' }],
      probe: {},
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.probe).toEqual({ path: '/healthz', intervalSec: 10 });
    expect(
      renamed.body.members.map((m) => [m.url, m.dynamic]),
      'the dynamic member stays',
    ).toEqual([
      ['http://127.0.0.1:10', false],
      ['http://10.9.9.8:1', true],
    ]);
    expect((await tc.api('GET', '/api/v1/worker-groups/unused')).status).toBe(404);
    expect(
      (await heartbeat('unused-2', { url: 'http://10.9.9.8:1' }, { secret: secrets.get('unused') })).status,
    ).toBe(200);
  });

  it('validates the probe', async () => {
    const bad: [unknown, string][] = [
      [{ path: 'healthz' }, 'probe.path'],
      [{ intervalSec: 0 }, 'probe.intervalSec'],
      [{ intervalSec: 1.0001 }, 'probe.intervalSec'],
      [{ every: 5 }, 'probe.every'],
      ['/healthz', 'probe'],
    ];
    for (const [probe, field] of bad) {
      const res = await tc.api<ErrorBody>('POST', '/api/v1/worker-groups', { name: 'bad-probe', probe });
      expect(res.status, JSON.stringify(probe)).toBe(400);
      expect(res.body.error.field, JSON.stringify(probe)).toBe(field);
    }
    expect((await tc.api('GET', '/api/v1/worker-groups/bad-probe')).status).toBe(404);
    const none = await createGroup({ name: 'no-probe', probe: null });
    expect(none.probe).toBeNull();
  });
});
