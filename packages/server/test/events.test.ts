/**
 * `GET /api/v1/events`: a server-sent stream of run changes, each reader
 * seeing only the runs of the teams it may read, on both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS, apiClient, startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';
import { type Started, startWorker } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

guardProcesses();
const DIALECTS = await dialects();

interface RunEvent {
  id: string;
  job: string;
  team: string;
  status: string;
  progress: number | null;
}

/** Reads an event stream in the background, collecting `run` events. */
function listen(url: string, headers: Record<string, string>) {
  const events: RunEvent[] = [];
  const controller = new AbortController();
  let status = 0;
  let contentType = '';
  let ready = false;
  const done = (async () => {
    const res = await fetch(url, { headers, signal: controller.signal });
    status = res.status;
    contentType = res.headers.get('content-type') ?? '';
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (block === ': ready') ready = true;
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (/^event: run$/m.test(block) && data) events.push(JSON.parse(data) as RunEvent);
      }
    }
  })().catch(() => undefined);
  return {
    events,
    status: () => status,
    ready: () => ready,
    contentType: () => contentType,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

describe.each(DIALECTS)('live run events on %s', (dialect) => {
  let tc: TestCenter;
  let worker: Started;

  beforeAll(async () => {
    tc = await startCenter(dialect);
  });
  afterAll(() => tc?.close());

  it('streams run changes of the readable teams only, to token and session readers alike', async () => {
    worker = await startWorker('w');
    for (const team of ['alpha', 'beta']) {
      await tc.api('POST', '/api/v1/worker-groups', {
        name: `${team}-g`,
        team,
        members: [{ url: worker.url }],
      });
      await tc.api('POST', '/api/v1/jobs', {
        name: `${team}-job`,
        team,
        schedule: { cron: '0 0 1 1 *' },
        target: { group: `${team}-g`, path: '/async' },
      });
    }
    await tc.api('POST', '/api/v1/users', { name: 'val', password: 'val-long-password' });
    await tc.api('PUT', '/api/v1/teams/alpha/members/val', { role: 'viewer' });
    const login = await fetch(`${tc.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'val', password: 'val-long-password' }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';

    const admin = listen(`${tc.url}/api/v1/events`, ADMIN_HEADERS);
    const viewer = listen(`${tc.url}/api/v1/events`, { cookie });
    const anonymous = await apiClient(tc.url)('GET', '/api/v1/events');
    expect(anonymous.status).toBe(401);
    // Ready: the feed knows the state the stream starts from; every change after it is sent.
    await waitFor(async () => admin.ready() && viewer.ready(), 'both streams ready');
    expect(admin.status()).toBe(200);
    expect(admin.contentType()).toMatch(/^text\/event-stream/);

    const alphaRun = (
      await tc.api<{ id: string }>('POST', '/api/v1/jobs/alpha-job/trigger', { params: { delayMs: 300 } })
    ).body;
    const betaRun = (
      await tc.api<{ id: string }>('POST', '/api/v1/jobs/beta-job/trigger', { params: { delayMs: 300 } })
    ).body;
    await waitFor(
      async () =>
        admin.events.some((e) => e.id === alphaRun.id && e.status === 'succeeded') &&
        admin.events.some((e) => e.id === betaRun.id && e.status === 'succeeded'),
      'the admin stream to see both runs end',
      20_000,
    );
    await waitFor(
      async () => viewer.events.some((e) => e.id === alphaRun.id && e.status === 'succeeded'),
      'the viewer stream to see its team run end',
      20_000,
    );
    expect(
      viewer.events.every((e) => e.team === 'alpha'),
      'nothing of team beta',
    ).toBe(true);
    const seen = admin.events.filter((e) => e.id === alphaRun.id).map((e) => `${e.status}/${e.progress}`);
    expect(seen.at(-1)).toMatch(/^succeeded\//);
    expect(new Set(seen).size, 'each change once').toBe(seen.length);
    await admin.close();
    await viewer.close();
    await worker.stop();
  });
});
