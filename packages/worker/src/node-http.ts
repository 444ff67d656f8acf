import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished } from 'node:stream';
import { errorBody, WorkerHttpError } from './errors.js';
import type { WorkerAnswer, WorkerCore } from './worker-core.js';

/** What Express body parsers may leave on the request. */
interface ParsedRequest extends IncomingMessage {
  body?: unknown;
  rawBody?: unknown;
  /** Set by body-parser once it has consumed the stream. */
  _body?: unknown;
}

/** The path part of a request URL, without query string or fragment. */
export function pathnameOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end < 0 ? raw : raw.slice(0, end);
}

/**
 * Serves one request to a matched route: reads the raw body, dispatches,
 * answers. Never rejects.
 */
export async function serveNodeRequest(
  core: WorkerCore,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
): Promise<void> {
  const route = core.match(pathname);
  if (!route) {
    req.resume();
    writeAnswer(res, {
      status: 404,
      body: errorBody('not_found', `no job is registered at ${pathname}`),
    });
    return;
  }
  let rawBody: Buffer;
  try {
    rawBody = await readRawBody(req, maxBodyBytes);
  } catch (error) {
    const known =
      error instanceof WorkerHttpError
        ? error
        : new WorkerHttpError('internal_error', 'reading the body failed');
    writeAnswer(res, { status: known.status, body: errorBody(known.code, known.message) });
    return;
  }
  const answer = await core.dispatch(route, { method: req.method ?? 'GET', headers: req.headers, rawBody });
  writeAnswer(res, answer);
}

/**
 * The body exactly as sent, which the signature covers. Takes it from an
 * Express body parser when one ran before us and kept it (`req.rawBody` from a
 * `verify` hook, or `req.body` as a Buffer or string from `express.raw()` /
 * `express.text()`); otherwise reads the stream.
 *
 * @throws {WorkerHttpError} `body_too_large` past `limit` bytes; `raw_body_unavailable`
 *   when a parser consumed the stream and kept only the parsed JSON
 */
export async function readRawBody(req: ParsedRequest, limit: number): Promise<Buffer> {
  const kept = asBuffer(req.rawBody) ?? asBuffer(req.body);
  if (kept) return kept;
  if (req._body === true || req.readableEnded) {
    throw new WorkerHttpError(
      'raw_body_unavailable',
      'a body parser consumed the request body before the JobCenter worker could check its signature: ' +
        'mount worker.middleware() before express.json(), or keep the raw bytes with ' +
        'express.json({ verify: (req, _res, buf) => { req.rawBody = buf; } })',
    );
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  // Keep reading past the limit without storing: breaking out would destroy
  // the socket, and then the 413 could not be sent.
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= limit) chunks.push(buffer);
  }
  if (size > limit) throw tooLarge(limit);
  return Buffer.concat(chunks);
}

/** Writes an answer as JSON and wires its `afterResponse` to the response's end. */
export function writeAnswer(res: ServerResponse, answer: WorkerAnswer): void {
  const { afterResponse } = answer;
  if (afterResponse) finished(res, (error) => afterResponse(!error));
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body ?? {});
  res.statusCode = answer.status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function asBuffer(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return undefined;
}

function tooLarge(limit: number): WorkerHttpError {
  return new WorkerHttpError('body_too_large', `the body exceeds ${limit} bytes (maxBodyBytes)`);
}
