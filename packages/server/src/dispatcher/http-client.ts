/**
 * Outbound HTTP for triggers: undici agents with keep-alive, one per connect
 * timeout in use. Requests go through `dispatch` with a small handler that
 * gathers the answer into a buffer (no stream or promise per response, which
 * is most of undici's `request` cost per call), reading at most a cap.
 */

import type { Dispatcher } from 'undici';
import { Agent, errors } from 'undici';

export interface SendOptions {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string | null;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

export type SendResult =
  | {
      ok: true;
      status: number;
      body: string;
      truncated: boolean;
      contentType: string | null;
      latencyMs: number;
    }
  | { ok: false; error: string; latencyMs: number };

class TooLarge extends Error {}
/** The response timeout, kept by a native timer: undici's own runs on 1-second ticks. */
class ResponseTimeout extends Error {}

export class HttpClient {
  private readonly agents = new Map<number, Agent>();
  private readonly targets = new Map<string, { origin: string; path: string }>();

  constructor(private readonly options: { connectionsPerOrigin: number; maxResponseBytes: number }) {}

  private agentFor(connectTimeoutMs: number): Agent {
    let agent = this.agents.get(connectTimeoutMs);
    if (!agent) {
      agent = new Agent({
        connections: this.options.connectionsPerOrigin,
        connect: { timeout: connectTimeoutMs },
        keepAliveTimeout: 30_000,
      });
      this.agents.set(connectTimeoutMs, agent);
    }
    return agent;
  }

  /** Origin and path of a URL, parsed once per distinct URL (a job's target on a member). */
  private target(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.targets.size > 100_000) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  send(options: SendOptions): Promise<SendResult> {
    const started = performance.now();
    const max = this.options.maxResponseBytes;
    return new Promise<SendResult>((resolve) => {
      let status = 0;
      let contentType: string | null = null;
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const latency = () => Math.round(performance.now() - started);
      let abort: ((err?: Error) => void) | null = null;
      let timer: NodeJS.Timeout | null = null;
      const done = (result: SendResult) => {
        if (timer) clearTimeout(timer);
        resolve(result);
      };
      // The classic handler interface: it is what undici's own request() uses in this version.
      const handler: Dispatcher.DispatchHandler = {
        onConnect(abortRequest) {
          abort = abortRequest;
          // From the moment the request goes onto its connection, as undici's headersTimeout.
          timer = setTimeout(() => abortRequest(new ResponseTimeout()), options.responseTimeoutMs);
        },
        onHeaders(statusCode, rawHeaders) {
          status = statusCode;
          for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
            if (String(rawHeaders[i]).toLowerCase() === 'content-type')
              contentType = String(rawHeaders[i + 1]);
          }
          return true;
        },
        onData(chunk) {
          if (size + chunk.length > max) {
            truncated = true;
            abort?.(new TooLarge());
            return false;
          }
          chunks.push(chunk);
          size += chunk.length;
          return true;
        },
        onComplete() {
          const body =
            chunks.length === 1
              ? (chunks[0] as Buffer).toString('utf8')
              : Buffer.concat(chunks).toString('utf8');
          done({ ok: true, status, body, truncated: false, contentType, latencyMs: latency() });
        },
        onError(err) {
          if (truncated) {
            done({
              ok: true,
              status,
              body: Buffer.concat(chunks).toString('utf8'),
              truncated: true,
              contentType,
              latencyMs: latency(),
            });
          } else {
            done({ ok: false, error: describe(err, options), latencyMs: latency() });
          }
        },
      };
      try {
        const { origin, path } = this.target(options.url);
        this.agentFor(options.connectTimeoutMs).dispatch(
          {
            origin,
            path,
            method: options.method,
            headers: options.headers,
            body: options.body,
            headersTimeout: options.responseTimeoutMs,
            bodyTimeout: options.responseTimeoutMs,
          },
          handler,
        );
      } catch (err) {
        resolve({ ok: false, error: describe(err, options), latencyMs: latency() });
      }
    });
  }

  /** Closes every connection at once; requests in flight fail. */
  async destroy(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.destroy()));
    this.agents.clear();
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }
}

function describe(err: unknown, options: SendOptions): string {
  if (err instanceof errors.ConnectTimeoutError)
    return `connect timeout after ${options.connectTimeoutMs} ms`;
  if (
    err instanceof ResponseTimeout ||
    err instanceof errors.HeadersTimeoutError ||
    err instanceof errors.BodyTimeoutError
  ) {
    return `no answer within ${options.responseTimeoutMs} ms`;
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (typeof cause?.code === 'string') return `${cause.code}: ${String(cause.message ?? err.message)}`;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
