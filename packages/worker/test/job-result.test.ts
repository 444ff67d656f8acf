import { describe, expect, it } from 'vitest';
import { createMockContext, invokeHandler, toJobResult } from '../src/index.js';

describe('toJobResult', () => {
  it('applies the documented rule', () => {
    expect(toJobResult(undefined)).toEqual({ status: 'succeeded' });
    expect(toJobResult(null)).toEqual({ status: 'succeeded' });
    expect(toJobResult('swept 3 refunds')).toEqual({ status: 'succeeded', message: 'swept 3 refunds' });
    expect(toJobResult({ refunded: 3 })).toEqual({ status: 'succeeded', output: { refunded: 3 } });
    expect(toJobResult({ status: 'failed', message: 'bank down' })).toEqual({
      status: 'failed',
      message: 'bank down',
    });
    expect(toJobResult({ status: 'succeeded', output: { n: 1 } })).toEqual({
      status: 'succeeded',
      output: { n: 1 },
    });
    expect(toJobResult(42)).toEqual({ status: 'succeeded', output: { value: 42 } });
    expect(toJobResult([1, 2])).toEqual({ status: 'succeeded', output: { value: [1, 2] } });
  });

  it('treats an object with a status plus other keys as output, not as a result', () => {
    expect(toJobResult({ status: 'failed', orders: 2 })).toEqual({
      status: 'succeeded',
      output: { status: 'failed', orders: 2 },
    });
    expect(toJobResult({ status: 'pending' })).toEqual({
      status: 'succeeded',
      output: { status: 'pending' },
    });
  });
});

describe('invokeHandler', () => {
  it('turns a throw into a failed result with the message', async () => {
    const result = await invokeHandler(async () => {
      throw new Error('database unreachable');
    }, createMockContext());
    expect(result).toEqual({ status: 'failed', message: 'database unreachable' });
  });

  it('fails a run whose output cannot be sent as JSON', async () => {
    const result = await invokeHandler(() => ({ big: 1n }), createMockContext());
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/not JSON-serializable/);
  });

  it('returns the output as JSON will carry it', async () => {
    const at = new Date('2027-01-15T08:00:00.000Z');
    expect(await invokeHandler(() => ({ at }), createMockContext())).toEqual({
      status: 'succeeded',
      output: { at: '2027-01-15T08:00:00.000Z' },
    });
  });
});

describe('createMockContext', () => {
  it('records progress and log lines and exposes the trigger fields', async () => {
    const ctx = createMockContext({ params: { day: '2027-01-14' }, attempt: 2 });
    const result = await invokeHandler(async (c) => {
      await c.progress(150, 'almost');
      await c.log('line 1', 'line 2');
      return { day: c.params.day, attempt: c.attempt, job: c.job };
    }, ctx);
    expect(result).toEqual({
      status: 'succeeded',
      output: { day: '2027-01-14', attempt: 2, job: 'mock.job' },
    });
    expect(ctx.progressUpdates).toEqual([{ progress: 100, message: 'almost' }]);
    expect(ctx.logLines).toEqual(['line 1', 'line 2']);
  });

  it('reports a generic AbortError thrown after a cancel with the signal reason', async () => {
    const ctx = createMockContext();
    const running = invokeHandler(async (c) => {
      await new Promise((resolve) => c.signal.addEventListener('abort', resolve));
      throw new DOMException('The operation was aborted', 'AbortError');
    }, ctx);
    ctx.cancel(new DOMException('run 01X was cancelled by JobCenter', 'AbortError'));
    expect(await running).toEqual({ status: 'failed', message: 'run 01X was cancelled by JobCenter' });
  });

  it('cancel() aborts the signal with an AbortError', async () => {
    const ctx = createMockContext();
    const running = invokeHandler(
      (c) =>
        new Promise((_resolve, reject) => {
          c.signal.addEventListener('abort', () => reject(c.signal.reason));
        }),
      ctx,
    );
    ctx.cancel();
    expect(await running).toEqual({
      status: 'failed',
      message: 'run 01MOCKRUN00000000000000000 was cancelled by JobCenter',
    });
    expect((ctx.signal.reason as DOMException).name).toBe('AbortError');
  });
});
