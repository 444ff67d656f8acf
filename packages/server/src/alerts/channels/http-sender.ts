/**
 * Outbound HTTP for the webhook-style channels: one undici Agent per channel
 * (keep-alive, closed with the channel), one deadline per send covering
 * connect, headers and body, and the caller's AbortSignal. Failures before an
 * answer become retryable ChannelErrors; answers are handed back to the channel,
 * which decides what its service's answer means.
 */
import { Agent, errors, request } from 'undici';
import { ChannelError } from '../channel-errors.js';

/** The most of an answer's body that is read; the rest is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface HttpAnswer {
  status: number;
  /** The body as UTF-8, at most 64 KiB of it. */
  body: string;
}

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string | null;
}

export class HttpSender {
  private readonly agent: Agent;

  /** `timeoutMs`: the whole send, from connect to the last byte of the answer. */
  constructor(readonly timeoutMs: number) {
    this.agent = new Agent({
      connect: { timeout: timeoutMs },
      connections: 4,
      keepAliveTimeout: 30_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /** Sends and reads the answer; rejects with a retryable ChannelError when none came. */
  async send(req: HttpRequest, signal: AbortSignal): Promise<HttpAnswer> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const both = AbortSignal.any([signal, deadline]);
    const host = hostOf(req.url);
    try {
      const response = await request(req.url, {
        dispatcher: this.agent,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: both,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        const room = MAX_ANSWER_BYTES - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= MAX_ANSWER_BYTES) break;
      }
      return { status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') };
    } catch (err) {
      if (signal.aborted) throw new ChannelError(`sending to ${host} was cancelled`, true);
      if (
        deadline.aborted ||
        err instanceof errors.HeadersTimeoutError ||
        err instanceof errors.BodyTimeoutError ||
        err instanceof errors.ConnectTimeoutError
      ) {
        throw new ChannelError(`no answer from ${host} within ${this.timeoutMs} ms`, true);
      }
      throw new ChannelError(`cannot reach ${host}: ${describe(err)}`, true);
    }
  }

  close(): Promise<void> {
    // Destroy, not close: close would wait for a request to a receiver that never answers.
    return this.agent.destroy();
  }
}

/**
 * Throws unless the answer is a 2xx. Timeouts (408), rate limits (429) and
 * server errors (5xx) are retryable; any other status says the request itself
 * is wrong (bad token, bad body, gone) and will fail again.
 */
export function requireSuccessStatus(answer: HttpAnswer, url: string): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const retryable = answer.status === 408 || answer.status === 429 || answer.status >= 500;
  throw new ChannelError(`HTTP ${answer.status} from ${hostOf(url)}${excerpt(answer.body)}`, retryable);
}

/** `: <the first 200 characters of body>`, or nothing for an empty body. */
export function excerpt(body: string): string {
  const text = body.trim().replace(/\s+/g, ' ');
  if (!text) return '';
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

/** The host of a URL, which errors may name (the path and query may hold a token; the host does not). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the webhook';
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (typeof cause?.code === 'string') return cause.code;
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * The JSON object a chat service answers with. A 2xx whose body is not a JSON
 * object is not retryable: the URL most likely points at something else.
 */
export function readJsonAnswer(answer: HttpAnswer, url: string): Record<string, unknown> {
  requireSuccessStatus(answer, url);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ChannelError(
      `unexpected answer from ${hostOf(url)}${excerpt(answer.body) || ': empty body'}`,
      false,
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * Throws unless the service's own result code (`errcode`, `code`, …) is 0.
 * `retryableCodes` are the codes that say "busy" or "too fast".
 */
export function requireZeroCode(
  code: unknown,
  message: unknown,
  url: string,
  retryableCodes: readonly number[],
): void {
  if (code === 0) return;
  const text = typeof message === 'string' && message ? ` ${message}` : '';
  const retryable = typeof code === 'number' && retryableCodes.includes(code);
  throw new ChannelError(`${hostOf(url)} refused the message: code ${String(code)}${text}`, retryable);
}

export const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
};

/** Header records merged left to right, names lower-cased so that a later `Content-Type` replaces an earlier one. */
export function mergeHeaders(...records: Readonly<Record<string, string>>[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const record of records)
    for (const [name, value] of Object.entries(record)) merged[name.toLowerCase()] = value;
  return merged;
}
