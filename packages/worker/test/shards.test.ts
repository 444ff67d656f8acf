/**
 * Broadcast shards: `ctx.shard` from the trigger, and every report going to
 * the shard's own callback URL with its own token, over real HTTP.
 */
import { describe, expect, it } from 'vitest';
import { createWorker, type JobContext, type Shard, shardOf } from '../src/index.js';
import {
  deferred,
  guardEachTest,
  NOW_MS,
  type RecordedCall,
  SECRET,
  send,
  startReceiver,
  startServer,
  triggerBody,
} from './helpers.js';

const cleanups = guardEachTest();

const ORDERS = Array.from({ length: 30 }, (_, i) => `order-${i}`);

/** The documented pattern: each shard takes the items whose hash falls on its index. */
async function settleOrders(ctx: JobContext) {
  const mine = ORDERS.filter((id) => shardOf(id, ctx.shard.total) === ctx.shard.index);
  await ctx.progress(50, `shard ${ctx.shard.index + 1} of ${ctx.shard.total}: ${mine.length} orders`);
  return { shard: ctx.shard, settled: mine };
}

/** A broadcast shard's trigger: its own callback URL (`…/shards/<index>`) and token. */
function shardTrigger(runId: string, callbackBase: string, shard: Shard) {
  return triggerBody(runId, callbackBase, {
    shard,
    callback: {
      url: `${callbackBase}/api/v1/callbacks/${runId}/shards/${shard.index}`,
      token: `token-${runId}-shard-${shard.index}`,
    },
  });
}

async function setup(jobs: Parameters<typeof createWorker>[0]['jobs']) {
  const receiver = await startReceiver();
  const worker = createWorker({ secret: SECRET, jobs, now: () => NOW_MS, heartbeatIntervalMs: 0 });
  cleanups.push(() => worker.close({ cancelRunning: true, timeoutMs: 2000 }));
  const { url } = await startServer((req, res) => {
    void worker.handle(req, res);
  });
  return { worker, receiver, url };
}

const resultsOf = (calls: RecordedCall[]) => calls.filter((c) => c.path.endsWith('/result'));

describe('broadcast shards', () => {
  it('exposes ctx.shard and reports to the shard callback URL with the shard token', async () => {
    const { url, receiver } = await setup({ '/jobs/settle': settleOrders });
    const shard = { index: 2, total: 3 };
    expect((await send(`${url}/jobs/settle`, shardTrigger('01RUNSHARD1', receiver.url, shard))).status).toBe(
      202,
    );
    const calls = await receiver.waitFor((c) => resultsOf(c).length === 1);
    const base = '/api/v1/callbacks/01RUNSHARD1/shards/2';
    expect(calls.map((c) => c.path)).toEqual([`${base}/progress`, `${base}/result`]);
    expect(calls.every((c) => c.authorization === 'Bearer token-01RUNSHARD1-shard-2')).toBe(true);
    const mine = ORDERS.filter((id) => shardOf(id, 3) === 2);
    expect(calls[0]?.body).toEqual({ progress: 50, message: `shard 3 of 3: ${mine.length} orders` });
    expect(calls[1]?.body).toEqual({ status: 'succeeded', output: { shard, settled: mine } });
  });

  it('runs two shards of one run on one worker as two runs, and a cancel stops both', async () => {
    const started = deferred();
    const seen: Shard[] = [];
    const { url, receiver, worker } = await setup({
      '/jobs/settle': async (ctx) => {
        seen.push(ctx.shard);
        if (seen.length === 2) started.resolve();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      },
    });
    for (const index of [0, 1]) {
      const body = shardTrigger('01RUNSHARD2', receiver.url, { index, total: 2 });
      expect((await send(`${url}/jobs/settle`, body)).status).toBe(202);
    }
    await started.promise;
    expect(seen).toEqual([
      { index: 0, total: 2 },
      { index: 1, total: 2 },
    ]);
    expect(worker.running).toBe(2);
    expect((await send(`${url}/jobs/settle/cancel`, { runId: '01RUNSHARD2' })).body).toEqual({
      runId: '01RUNSHARD2',
      cancelled: true,
    });
    const calls = await receiver.waitFor((c) => resultsOf(c).length === 2);
    expect(resultsOf(calls).map((c) => c.path)).toEqual(
      expect.arrayContaining([
        '/api/v1/callbacks/01RUNSHARD2/shards/0/result',
        '/api/v1/callbacks/01RUNSHARD2/shards/1/result',
      ]),
    );
    expect(resultsOf(calls).every((c) => c.body.status === 'failed')).toBe(true);
  });

  it('defaults to shard 0 of 1 when the trigger has none', async () => {
    const { url, receiver } = await setup({ '/jobs/settle': settleOrders });
    const body = triggerBody('01RUNSHARD3', receiver.url, { shard: undefined });
    expect((await send(`${url}/jobs/settle`, body)).status).toBe(202);
    const calls = await receiver.waitFor((c) => resultsOf(c).length === 1);
    expect(resultsOf(calls)[0]?.body).toEqual({
      status: 'succeeded',
      output: { shard: { index: 0, total: 1 }, settled: ORDERS },
    });
  });
});

describe('shardOf', () => {
  it('hashes strings with 32-bit FNV-1a, so other languages can split the same way', () => {
    // Reference values of FNV-1a 32 ("" is the offset basis).
    expect(shardOf('', 2 ** 32)).toBe(0x811c9dc5);
    expect(shardOf('a', 2 ** 32)).toBe(0xe40c292c);
    expect(shardOf('foobar', 2 ** 32)).toBe(0xbf9cf968);
    expect(shardOf('foobar', 7)).toBe(0xbf9cf968 % 7);
    // UTF-8 bytes, not UTF-16 units.
    expect(shardOf('é', 2 ** 32)).toBe(fnvOfBytes([0xc3, 0xa9]));
  });

  it('takes non-negative integers as they are, and puts every key in exactly one shard', () => {
    expect(shardOf(17, 5)).toBe(2);
    expect(shardOf(0, 1)).toBe(0);
    const total = 4;
    const counts = Array(total).fill(0) as number[];
    for (const id of ORDERS) {
      const index = shardOf(id, total);
      expect(Number.isInteger(index) && index >= 0 && index < total).toBe(true);
      counts[index] = (counts[index] ?? 0) + 1;
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ORDERS.length);
  });

  it('refuses a bad total or a number key that is not a non-negative integer', () => {
    expect(() => shardOf('x', 0)).toThrow(/total must be a positive integer/);
    expect(() => shardOf('x', 1.5)).toThrow(RangeError);
    expect(() => shardOf(-1, 3)).toThrow(/non-negative integer/);
    expect(() => shardOf(2.5, 3)).toThrow(RangeError);
  });
});

function fnvOfBytes(bytes: number[]): number {
  let hash = 2166136261n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 16777619n) % 2n ** 32n;
  return Number(hash);
}
