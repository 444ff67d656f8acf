import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
