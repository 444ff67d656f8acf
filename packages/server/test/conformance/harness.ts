/**
 * The conformance suite's harness: misbehaving worker processes
 * (test/fixtures/misbehaving-worker.mjs), an in-process JobCenter with FAST
 * timings, and the two fires every misbehaviour test looks at — the first
 * fire of an every-second job (the worker misbehaves on it) and the next
 * fire (the worker answers it normally).
 */
import { fileURLToPath } from 'node:url';
import type { ExpectStatic } from 'vitest';
import type { Config } from '../../src/config.js';
import { ADMIN_TOKEN, type Api, startCenter, type TestCenter } from '../helpers/center.js';
import { freePort } from '../helpers/ports.js';
import { type Started, startProgram, stopAll } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/misbehaving-worker.mjs', import.meta.url));

/** Small caps, so the over-the-cap cases stay small and fast. */
export const CAPS = {
  maxResponseBytes: 64 * 1024,
  reportLimits: { maxMessageChars: 200, maxOutputBytes: 1_000, maxLogBytes: 500 },
} satisfies Partial<Config>;

export interface AttemptBody {
  n: number;
  member: string;
  sentAt: string;
  httpStatus: number | null;
  error: string | null;
  latencyMs: number | null;
}

export interface RunBody {
  id: string;
  jobId: string;
  trigger: string;
  scheduledAt: string;
  firedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  status: string;
  notifyStatus: string;
  timedOut: boolean;
  progress: number | null;
  message: string | null;
  output: unknown;
  lateResult: unknown;
  member: string | null;
  truncated: boolean;
  attempts: AttemptBody[];
  events?: { at: string; progress: number | null; message: string | null; log: string[] }[];
}

/** One callback the worker made, with JobCenter's answer. */
export interface CallbackMade {
  runId: string;
  jobId: string;
  step: number;
  kind: 'result' | 'progress';
  status: number | null;
  body: unknown;
}

export const ENDED = (r: RunBody): boolean => r.status !== 'pending' && r.status !== 'running';

/** Starts the misbehaving worker as its own process on a free loopback port. */
export async function startMisbehavingWorker(name: string): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProgram(
    process.execPath,
    [FIXTURE],
    { PORT: String(port), WORKER_NAME: name, JOBCENTER_TOKEN: ADMIN_TOKEN },
    /listening \d+/,
    url,
  );
}

export async function callbacksMade(worker: Started, runId: string): Promise<CallbackMade[]> {
  const res = await fetch(`${worker.url}/_callbacks`);
  return ((await res.json()) as CallbackMade[]).filter((c) => c.runId === runId);
}

/** Waits until the worker has made `count` callbacks for the run; answers them in order. */
export function waitForCallbacks(worker: Started, runId: string, count: number): Promise<CallbackMade[]> {
  return waitFor(async () => {
    const made = await callbacksMade(worker, runId);
    return made.length >= count ? made.sort((a, b) => a.step - b.step) : undefined;
  }, `${count} callbacks of run ${runId}`);
}

export interface Conformance {
  tc: TestCenter;
  api: Api;
  /** Creates a job firing every second; answers its id. */
  everySecond(name: string, spec: Record<string, unknown>): Promise<string>;
  /** Waits for the job's first two fires to satisfy the predicates, pauses the job, answers both runs. */
  firstTwoFires(
    jobId: string,
    first: (r: RunBody) => boolean,
    second?: (r: RunBody) => boolean,
  ): Promise<[RunBody, RunBody]>;
  run(id: string): Promise<RunBody>;
  pause(jobId: string): Promise<void>;
}

export async function startConformance(
  dialect: 'sqlite' | 'postgres',
  overrides: Partial<Config> = {},
): Promise<Conformance> {
  const tc = await startCenter(dialect, { ...CAPS, ...overrides });
  const api = tc.api;
  const run = async (id: string) => {
    const res = await api<RunBody>('GET', `/api/v1/runs/${id}`);
    if (res.status !== 200) throw new Error(`GET /runs/${id}: ${res.status}`);
    return res.body;
  };
  const pause = async (jobId: string) => {
    await api('POST', `/api/v1/jobs/${jobId}/pause`);
  };
  return {
    tc,
    api,
    run,
    pause,
    async everySecond(name, spec) {
      const res = await api<{ id: string }>('POST', '/api/v1/jobs', {
        name,
        schedule: { cron: '* * * * * *' },
        ...spec,
      });
      if (res.status !== 201)
        throw new Error(`POST /jobs ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    async firstTwoFires(jobId, first, second = ENDED) {
      try {
        const ids = await waitFor(async () => {
          const res = await api<{ items: RunBody[] }>('GET', `/api/v1/jobs/${jobId}/runs?limit=10`);
          const items = [...res.body.items].sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt));
          const [a, b] = items;
          return a && b && first(a) && second(b) ? [a.id, b.id] : undefined;
        }, `the first two fires of job ${jobId}`);
        return [await run(ids[0] as string), await run(ids[1] as string)];
      } finally {
        await pause(jobId);
      }
    },
  };
}

/**
 * The fire after a misbehaving one: the worker answered it normally, so it
 * is an independent, healthy run — nothing of the first fire carried over.
 * Also checks that every attempt of the first fire, whatever happened to
 * it, was recorded with its send time and latency.
 */
export function expectHealthyNextFire(
  expect: ExpectStatic,
  first: RunBody,
  next: RunBody,
  member: string,
  worker = 'w1',
): void {
  for (const a of first.attempts) {
    expect(Number.isNaN(Date.parse(a.sentAt)), `attempt ${a.n} sentAt`).toBe(false);
    expect(a.latencyMs, `attempt ${a.n} latencyMs`).toBeGreaterThanOrEqual(0);
  }
  expect(Date.parse(next.scheduledAt) - Date.parse(first.scheduledAt), 'the very next fire').toBe(1000);
  expect(next).toMatchObject({
    trigger: 'schedule',
    status: 'succeeded',
    notifyStatus: 'delivered',
    member,
    message: `ok by ${worker}`,
    lateResult: null,
  });
  expect(next.attempts).toEqual([
    expect.objectContaining({ n: 1, member, httpStatus: 200, error: null, latencyMs: expect.any(Number) }),
  ]);
}

/** A conformance JobCenter with two misbehaving workers in groups `one` (w1) and `pair` (w1, w2). */
export interface PairSetup {
  c: Conformance;
  w1: Started;
  w2: Started;
}

export async function startPairSetup(dialect: 'sqlite' | 'postgres'): Promise<PairSetup> {
  const [w1, w2] = await Promise.all([startMisbehavingWorker('w1'), startMisbehavingWorker('w2')]);
  const c = await startConformance(dialect);
  for (const [name, members] of [
    ['one', [w1]],
    ['pair', [w1, w2]],
  ] as const) {
    const res = await c.api('POST', '/api/v1/worker-groups', {
      name,
      members: members.map((m) => ({ url: m.url })),
    });
    if (res.status !== 201) throw new Error(`group ${name}: ${res.status}`);
  }
  return { c, w1, w2 };
}

/** Stops the setup; answers how many processes were still running after (must be 0). */
export async function stopPairSetup(setup: Partial<PairSetup>): Promise<number> {
  await setup.c?.tc.close();
  await Promise.all([setup.w1?.stop(), setup.w2?.stop()]);
  return stopAll();
}
