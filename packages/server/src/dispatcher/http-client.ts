/**
 * Outbound HTTP for triggers: undici agents with keep-alive, one per connect
 * timeout in use, and response bodies read up to a cap.
 */
import { Agent, errors, request } from 'undici';

export interface SendOptions {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string | null;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  signal?: AbortSignal | undefined;
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

export class HttpClient {
  private readonly agents = new Map<number, Agent>();

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

  async send(options: SendOptions): Promise<SendResult> {
    const started = performance.now();
    try {
      const response = await request(options.url, {
        dispatcher: this.agentFor(options.connectTimeoutMs),
        method: options.method,
        headers: options.headers,
        body: options.body,
        headersTimeout: options.responseTimeoutMs,
        bodyTimeout: options.responseTimeoutMs,
        signal: options.signal,
      });
      const length = Number(response.headers['content-length']);
      // The common case, a small answer of known length, is read in one go.
      const { body, truncated } =
        length >= 0 && length <= this.options.maxResponseBytes
          ? { body: await response.body.text(), truncated: false }
          : await readCapped(response.body, this.options.maxResponseBytes);
      const type = response.headers['content-type'];
      return {
        ok: true,
        status: response.statusCode,
        body,
        truncated,
        contentType: typeof type === 'string' ? type : null,
        latencyMs: Math.round(performance.now() - started),
      };
    } catch (err) {
      return { ok: false, error: describe(err, options), latencyMs: Math.round(performance.now() - started) };
    }
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

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void },
  max: number,
): Promise<{ body: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > max) {
      body.destroy();
      return { body: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function describe(err: unknown, options: SendOptions): string {
  if (err instanceof errors.ConnectTimeoutError)
    return `connect timeout after ${options.connectTimeoutMs} ms`;
  if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) {
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
