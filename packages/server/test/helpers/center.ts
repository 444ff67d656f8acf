/** An in-process JobCenter on a real database and a real loopback port, with fast timings. */
import { type Config, loadConfig } from '../../src/config.js';
import { createJobCenter, type JobCenter } from '../../src/main.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

/** The admin API token every test server is bootstrapped with (JOBCENTER_BOOTSTRAP_TOKEN). */
export const ADMIN_TOKEN = 'jc_test-admin-token-0123456789';
export const ADMIN_HEADERS = { authorization: `Bearer ${ADMIN_TOKEN}` };

export const FAST: Partial<Config> = {
  bootstrapToken: ADMIN_TOKEN,
  leaseTtlMs: 1_500,
  leaseRenewMs: 200,
  monitorIntervalMs: 100,
  deliveryBackoffMs: 100,
  deliveryBackoffMaxMs: 400,
  shutdownGraceMs: 2_000,
  connectTimeoutMs: 1_000,
  responseTimeoutMs: 5_000,
};

export interface TestCenter {
  center: JobCenter;
  db: TestDatabase;
  url: string;
  api: Api;
  /** Stops the server; the database stays for a restart. */
  stop(): Promise<void>;
  /** Stops and drops the database. */
  close(): Promise<void>;
}

export type Api = <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: T }>;

export function apiClient(base: string, defaultHeaders: Record<string, string> = {}): Api {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...defaultHeaders,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    // An event stream never ends: answer its status and leave the stream.
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.body?.cancel();
      return { status: res.status, body: null as never };
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body: parsed as never };
  };
}

export async function startCenter(
  dialect: 'sqlite' | 'postgres',
  overrides: Partial<Config> = {},
  existing?: TestDatabase,
): Promise<TestCenter> {
  const db = existing ?? (await createTestDatabase(dialect));
  const config = loadConfig({
    env: {},
    overrides: {
      ...FAST,
      host: '127.0.0.1',
      port: 0,
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      logLevel: 'silent',
      ...overrides,
    },
  });
  const center = await createJobCenter(config);
  const url = await center.start();
  return {
    center,
    db,
    url,
    api: apiClient(url, ADMIN_HEADERS),
    stop: () => center.stop(),
    close: async () => {
      await center.stop();
      await db.drop();
    },
  };
}
