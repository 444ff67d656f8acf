/**
 * Announcing a worker (dynamic membership): real signed requests to a real
 * node:http server playing JobCenter's heartbeat endpoint, which checks each
 * signature with node:crypto.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AnnounceError, type Announcer, announce, createWorker } from '../src/index.js';
import {
  closeAllServers,
  deferred,
  guardEachTest,
  NOW_MS,
  NOW_SEC,
  SECRET,
  send,
  startAnnounceReceiver,
  startServer,
  trackServer,
  triggerBody,
} from './helpers.js';

const cleanups = guardEachTest();

function started(announcer: Announcer): Announcer {
  cleanups.push(() => announcer.stop());
  return announcer;
}

describe('announce()', () => {
  it('announces at once and then every interval, signed with the group secret', async () => {
    const center = await startAnnounceReceiver(SECRET);
    const errors: unknown[] = [];
    started(
      announce({
        server: `${center.url}/`,
        group: 'billing-workers',
        secret: SECRET,
        url: 'http://10.0.3.7:3000',
        name: 'billing-7',
        intervalMs: 10,
        onError: (error) => errors.push(error),
      }),
    );
    const announcements = await center.waitFor(3);
    for (const a of announcements.slice(0, 3)) {
      expect(a).toMatchObject({
        group: 'billing-workers',
        body: { url: 'http://10.0.3.7:3000', name: 'billing-7' },
        signatureValid: true,
      });
      // Dated by the real clock (within a generous minute of the test's own).
      expect(Math.abs(a.t - Date.now() / 1000)).toBeLessThan(60);
    }
    expect(errors).toEqual([]);
  });

  it('stop() stops it: no announcement after it resolves, no timer left, idempotent', async () => {
    const center = await startAnnounceReceiver(SECRET);
    const announcer = announce({
      server: center.url,
      group: 'g',
      secret: SECRET,
      url: 'http://127.0.0.1:1',
      intervalMs: 5,
    });
    await center.waitFor(2);
    const stopping = announcer.stop();
    expect(announcer.stop()).toBe(stopping);
    await stopping;
    const count = center.announcements.length;
    // Many intervals later, nothing new but the one stop() aborted, which may
    // have reached the server anyway (the guard in afterEach checks the timer too).
    await sleep(60);
    expect(center.announcements.length).toBeLessThanOrEqual(count + 1);
    expect(center.announcements[0]?.body).toEqual({ url: 'http://127.0.0.1:1' });
  });

  it('reports refusals and network errors to onError without throwing, and keeps announcing', async () => {
    const center = await startAnnounceReceiver(SECRET, (index) => (index === 0 ? 503 : 200));
    const errors: unknown[] = [];
    started(
      announce({
        server: center.url,
        group: 'g',
        secret: 'not-the-group-secret',
        url: 'http://127.0.0.1:1',
        intervalMs: 5,
        onError: (error) => errors.push(error),
      }),
    );
    const announcements = await center.waitFor(2);
    expect(announcements[0]?.signatureValid).toBe(false);
    expect(errors[0]).toBeInstanceOf(AnnounceError);
    expect(errors[0]).toMatchObject({ status: 503 });

    // Nobody listening at all: a network error, status null.
    const gone = await startServer((_req, res) => res.end());
    const deadUrl = gone.url;
    await closeAllServers();
    const networkErrors: unknown[] = [];
    const twoFailures = deferred();
    const announcer = started(
      announce({
        server: deadUrl,
        group: 'g',
        secret: SECRET,
        url: 'http://127.0.0.1:1',
        intervalMs: 5,
        onError: (error) => {
          if (networkErrors.push(error) === 2) twoFailures.resolve();
        },
      }),
    );
    await twoFailures.promise;
    await announcer.stop();
    expect(networkErrors[0]).toBeInstanceOf(AnnounceError);
    expect(networkErrors[0]).toMatchObject({ status: null });
    expect((networkErrors[0] as Error).message).toMatch(/^jobcenter-worker: could not announce/);
  });

  it('says what is wrong with bad options', () => {
    const good = { server: 'http://jc:8080', group: 'g', secret: 's', url: 'http://w:3000' };
    expect(() => announce({ ...good, group: '' })).toThrow(/"group" must be a non-empty string/);
    expect(() => announce({ ...good, server: 'jc:8080' })).toThrow(/"server" must be an http\(s\) URL/);
    expect(() => announce({ ...good, intervalMs: 0 })).toThrow(/intervalMs must be > 0/);
  });
});

describe('the announce option of createWorker', () => {
  it('announces once listen() listens, with the worker secret and clock, and stops on close()', async () => {
    const center = await startAnnounceReceiver(SECRET);
    const worker = createWorker({
      secret: [SECRET, 'old-secret'],
      now: () => NOW_MS,
      jobs: { '/jobs/ping': { mode: 'sync', handler: () => 'pong' } },
      announce: { server: center.url, group: 'ping-workers', url: 'http://127.0.0.1:9999', intervalMs: 5 },
    });
    cleanups.push(() => worker.close());
    expect(center.announcements).toEqual([]);
    const url = trackServer(await worker.listen(0, '127.0.0.1'));
    const announcements = await center.waitFor(2);
    expect(announcements[0]).toEqual({
      group: 'ping-workers',
      body: { url: 'http://127.0.0.1:9999' },
      t: NOW_SEC,
      signatureValid: true,
    });
    // The worker serves while it announces.
    expect((await send(`${url}/jobs/ping`, triggerBody('01RUNANN1', center.url))).status).toBe(200);
    await worker.close();
    const count = center.announcements.length;
    await sleep(40);
    // At most the one in flight at close(), aborted but perhaps already received.
    expect(center.announcements.length).toBeLessThanOrEqual(count + 1);
  });

  it('starts with startAnnouncing() for a server the worker does not own; failures go to onError', async () => {
    const center = await startAnnounceReceiver('another-secret');
    const errors: unknown[] = [];
    const worker = createWorker({
      secret: SECRET,
      now: () => NOW_MS,
      onError: (error) => errors.push(error),
      jobs: { '/jobs/ping': () => 'pong' },
      announce: {
        server: center.url,
        group: 'ping-workers',
        secret: 'another-secret',
        url: 'http://127.0.0.1:9999/',
        name: 'ping-1',
        intervalMs: 5,
      },
    });
    cleanups.push(() => worker.close());
    await startServer((req, res) => {
      void worker.handle(req, res);
    });
    worker.startAnnouncing();
    worker.startAnnouncing();
    const announcements = await center.waitFor(2);
    expect(announcements[0]).toMatchObject({
      body: { url: 'http://127.0.0.1:9999', name: 'ping-1' },
      signatureValid: true,
    });
    expect(errors).toEqual([]);
    await worker.close();
    worker.startAnnouncing(); // after close: a no-op
  });

  it('checks the announce option at createWorker', () => {
    expect(() =>
      createWorker({
        secret: SECRET,
        jobs: { '/jobs/a': () => 'a' },
        announce: { server: 'http://jc', group: 'g', url: 'nope' },
      }),
    ).toThrow(/"url" must be an http\(s\) URL/);
  });
});
