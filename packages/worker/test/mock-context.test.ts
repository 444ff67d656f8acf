/** The mock context: unit tests of handlers without a server, as the README shows them. */
import { describe, expect, it } from 'vitest';
import { createMockContext, invokeHandler, type JobContext, shardOf } from '../src/index.js';

/** A handler as a user would write it: a shard of the orders, progress, a cancel check per order. */
async function settleOrders(ctx: JobContext) {
  const orders = (ctx.params.orders as string[]).filter(
    (id) => shardOf(id, ctx.shard.total) === ctx.shard.index,
  );
  let settled = 0;
  for (const id of orders) {
    if (ctx.signal.aborted) break;
    await ctx.log(`settled ${id}`);
    settled++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await ctx.heartbeat();
  await ctx.progress(100, `${settled} orders`);
  return { settled };
}

const ORDERS = Array.from({ length: 12 }, (_, i) => `order-${i}`);

describe('createMockContext', () => {
  it('takes a shard and records logs, heartbeats and progress in call order', async () => {
    const shard = { index: 1, total: 3 };
    const ctx = createMockContext({ params: { orders: ORDERS }, shard });
    expect(ctx.shard).toEqual(shard);
    const mine = ORDERS.filter((id) => shardOf(id, 3) === 1);
    expect(await invokeHandler(settleOrders, ctx)).toEqual({
      status: 'succeeded',
      output: { settled: mine.length },
    });
    expect(ctx.logLines).toEqual(mine.map((id) => `settled ${id}`));
    expect(ctx.heartbeats).toBe(1);
    expect(ctx.progressUpdates).toEqual([{ progress: 100, message: `${mine.length} orders` }]);
    expect(ctx.reports).toEqual([
      ...mine.map((id) => ({ log: [`settled ${id}`] })),
      {},
      { progress: 100, message: `${mine.length} orders` },
    ]);
  });

  it('counts progress() without arguments as a heartbeat, as it is one on the wire', async () => {
    const ctx = createMockContext();
    await ctx.progress();
    await ctx.heartbeat();
    await ctx.progress(Number.NaN, 'half');
    expect(ctx.heartbeats).toBe(2);
    expect(ctx.progressUpdates).toEqual([{ message: 'half' }]);
  });

  it('cancel() aborts the signal, drops later reports, and the result is failed with the output kept', async () => {
    const ctx = createMockContext({ params: { orders: ORDERS } });
    const running = invokeHandler(settleOrders, ctx);
    await new Promise((resolve) => setImmediate(resolve));
    ctx.cancel();
    const result = await running;
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toMatchObject({
      name: 'AbortError',
      message: 'run 01MOCKRUN00000000000000000 was cancelled by JobCenter',
    });
    // Stopped early, and what it said after the cancel (heartbeat, progress) was not sent.
    expect(result).toEqual({
      status: 'failed',
      message: 'run 01MOCKRUN00000000000000000 was cancelled by JobCenter',
      output: { settled: ctx.logLines.length },
    });
    expect(ctx.logLines.length).toBeLessThan(ORDERS.length);
    expect(ctx.heartbeats).toBe(0);
    expect(ctx.progressUpdates).toEqual([]);
  });

  it('cancel(reason) uses the reason given', async () => {
    const ctx = createMockContext();
    ctx.cancel(new Error('operator pressed stop'));
    expect(await invokeHandler(() => 'done', ctx)).toEqual({
      status: 'failed',
      message: 'operator pressed stop',
    });
  });
});
