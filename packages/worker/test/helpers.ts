import { createHook } from 'node:async_hooks';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';

export const SECRET = 'whsec-test-3f9a1c';
/** The fixed clock every worker under test uses: 2027-01-15T08:00:00Z. */
export const NOW_MS = 1_800_000_000_000;
export const NOW_SEC = NOW_MS / 1000;

/** Signs like JobCenter does, with node:crypto directly, so a bug shared with the SDK's signer cannot hide. */
export function sign(secret: string, tSec: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${tSec}.${body}`, 'utf8').digest('hex');
  return `t=${tSec},v1=${v1}`;
}

const openServers = new Set<Server>();

/** Starts a node:http server on 127.0.0.1, port 0; {@link closeAllServers} closes it. */
export async function startServer(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openServers.add(server);
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Registers an already-listening server (e.g. one from worker.listen()) for closing. */
export function trackServer(server: Server): string {
  openServers.add(server);
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export async function closeAllServers(): Promise<void> {
  const closing = [...openServers].map(
    (server) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  openServers.clear();
  await Promise.all(closing);
}

export function openServerCount(): number {
  return [...openServers].filter((s) => s.listening).length;
}

export interface RecordedCall {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/**
 * A fake JobCenter callback endpoint: records each call, answers with
 * `statusFor(call, sameKindIndex)` (default 200).
 */
export async function startReceiver(
  statusFor: (call: RecordedCall, sameKindIndex: number) => number = () => 200,
) {
  const calls: RecordedCall[] = [];
  const waiters: Array<() => void> = [];
  const { url } = await startServer(async (req, res) => {
    const body = JSON.parse((await readText(req)) || '{}') as Record<string, unknown>;
    const call: RecordedCall = { path: req.url ?? '', authorization: req.headers.authorization, body };
    const sameKind = calls.filter((c) => c.path === call.path).length;
    calls.push(call);
    res.statusCode = statusFor(call, sameKind);
    res.setHeader('content-type', 'application/json');
    res.end('{}');
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    url,
    calls,
    /** Resolves once `predicate(calls)` holds; re-checked after every call, no polling. */
    async waitFor(predicate: (calls: RecordedCall[]) => boolean): Promise<RecordedCall[]> {
      while (!predicate(calls)) await new Promise<void>((resolve) => waiters.push(resolve));
      return calls;
    },
  };
}

export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A trigger body as JobCenter sends it (PROTOCOL.md §1). */
export function triggerBody(runId: string, callbackBase: string, extra: Record<string, unknown> = {}) {
  return {
    runId,
    jobId: '01JOBID0000000000000000000',
    job: 'billing.refund-sweep',
    scheduledAt: '2027-01-15T08:00:00.000Z',
    firedAt: '2027-01-15T08:00:00.120Z',
    attempt: 1,
    trigger: 'schedule',
    params: { day: '2027-01-14' },
    shard: { index: 0, total: 1 },
    timeoutSec: 600,
    callback: { url: `${callbackBase}/api/v1/callbacks/${runId}`, token: `token-${runId}` },
    ...extra,
  };
}

export interface SendOptions {
  secret?: string;
  tSec?: number;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  /** Sign this text but send `body` (to tamper). */
  signedBody?: string;
  /** Leave the signature header out. */
  unsigned?: boolean;
}

/** Sends a signed request the way JobCenter does; `body` is sent verbatim when a string. */
export async function send(url: string, body: unknown, options: SendOptions = {}) {
  const method = options.method ?? 'POST';
  const text = method === 'GET' ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { ...options.headers };
  if (method === 'POST') headers['content-type'] = 'application/json';
  if (!options.unsigned) {
    headers['x-jobcenter-signature'] = sign(
      options.secret ?? SECRET,
      options.tSec ?? NOW_SEC,
      options.signedBody ?? text,
    );
  }
  const response = await fetch(url, { method, headers, ...(method === 'POST' ? { body: text } : {}) });
  const responseText = await response.text();
  return {
    status: response.status,
    body: responseText ? (JSON.parse(responseText) as Record<string, unknown>) : {},
  };
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The SDK's sources: a timer whose creation stack passes through them is the SDK's. */
const SDK_SOURCES = fileURLToPath(new URL('../src/', import.meta.url));

/** Live timers created by SDK code, by async id, with the stack that created each. */
const sdkTimers = new Map<number, { timer: NodeJS.Timeout; stack: string }>();
let timersFollowed = false;

/**
 * The leak guard: call `expectNoSdkTimersLeft()` at the end of `afterEach`,
 * once everything the test started is closed. It fails the test when a timer
 * created by the SDK (a heartbeat, an announcer, a report retry) is still
 * pending and keeps the process alive, and shows where it was created. Timers
 * are followed with async_hooks from the first call of this function on.
 */
export function timerGuard() {
  if (!timersFollowed) {
    timersFollowed = true;
    createHook({
      init(asyncId, type, _triggerId, resource) {
        if (type !== 'Timeout') return;
        // Deep enough to reach the SDK frame under Node's own timer helpers.
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 30;
        const stack = new Error().stack ?? '';
        Error.stackTraceLimit = limit;
        if (stack.includes(SDK_SOURCES)) sdkTimers.set(asyncId, { timer: resource as NodeJS.Timeout, stack });
      },
      destroy(asyncId) {
        sdkTimers.delete(asyncId);
      },
    }).enable();
  }
  return {
    async expectNoSdkTimersLeft() {
      // Destroy hooks of cleared timers are delivered on the next turn of the loop.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      const leaked = [...sdkTimers.values()].filter(({ timer }) => timer.hasRef());
      expect(
        leaked.map(({ stack }) => stack.split('\n').slice(2, 6).join('\n')),
        'an SDK timer outlived the test',
      ).toEqual([]);
    },
  };
}

export interface Announcement {
  group: string;
  body: Record<string, unknown>;
  /** The signature's `t`, in Unix seconds. */
  t: number;
  /** Whether `v1` is the HMAC-SHA256 of `"<t>.<raw body>"` under the group's secret. */
  signatureValid: boolean;
}

/**
 * A fake JobCenter heartbeat endpoint (`POST /api/v1/worker-groups/{group}/heartbeat`):
 * checks each announcement's signature with node:crypto and answers `200`
 * (`401` when it does not match), or `statusFor(index)` when given.
 */
export async function startAnnounceReceiver(secret: string, statusFor?: (index: number) => number) {
  const announcements: Announcement[] = [];
  const waiters: Array<() => void> = [];
  const { url, server } = await startServer(async (req, res) => {
    const raw = await readText(req);
    const match = /^\/api\/v1\/worker-groups\/([^/]+)\/heartbeat$/.exec(req.url ?? '');
    const header = String(req.headers['x-jobcenter-signature'] ?? '');
    const t = /(?:^|,)t=(\d+)/.exec(header)?.[1] ?? '';
    const v1 = /(?:^|,)v1=([0-9a-f]{64})/.exec(header)?.[1] ?? '';
    const signatureValid = req.method === 'POST' && sign(secret, Number(t), raw) === `t=${t},v1=${v1}`;
    if (match) {
      announcements.push({
        group: decodeURIComponent(match[1] ?? ''),
        body: JSON.parse(raw || '{}') as Record<string, unknown>,
        t: Number(t),
        signatureValid,
      });
    }
    res.statusCode = !match
      ? 404
      : statusFor
        ? statusFor(announcements.length - 1)
        : signatureValid
          ? 200
          : 401;
    res.setHeader('content-type', 'application/json');
    res.end('{}');
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    url,
    server,
    announcements,
    /** Resolves once `count` announcements have arrived; no polling. */
    async waitFor(count: number): Promise<Announcement[]> {
      while (announcements.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return announcements;
    },
  };
}

/**
 * Registers the per-test guard every SDK test file uses: after each test,
 * runs the test's cleanups, closes its servers and fails the test if a
 * server or an SDK timer is left. Answers the list to push cleanups onto.
 */
export function guardEachTest(before?: () => void): Array<() => Promise<unknown>> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const timers = timerGuard();
  afterEach(async () => {
    before?.();
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await closeAllServers();
    expect(openServerCount()).toBe(0);
    await timers.expectNoSdkTimersLeft();
  });
  return cleanups;
}
