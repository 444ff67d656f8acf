import { describe, expect, it } from 'vitest';
import { broadcastOutcome, type ShardState } from './shards.js';

const shard = (
  status: ShardState['status'],
  notifyStatus: ShardState['notifyStatus'],
  finishedAt: number | null = null,
) => ({
  status,
  notifyStatus,
  finishedAt,
});

describe('broadcast outcome', () => {
  it('is pending until a shard is delivered, then running while any shard is open', () => {
    expect(broadcastOutcome([shard('pending', 'pending'), shard('pending', 'pending')])).toMatchObject({
      status: 'pending',
      notifyStatus: 'pending',
      finishedAt: null,
    });
    expect(broadcastOutcome([shard('running', 'delivered'), shard('pending', 'pending')])).toMatchObject({
      status: 'running',
      notifyStatus: 'pending',
    });
    expect(
      broadcastOutcome([shard('succeeded', 'delivered', 5), shard('running', 'delivered')]),
    ).toMatchObject({
      status: 'running',
      notifyStatus: 'delivered',
      finishedAt: null,
    });
  });

  it('succeeds only when every shard succeeded, finishing with the last one', () => {
    expect(
      broadcastOutcome([shard('succeeded', 'delivered', 5), shard('succeeded', 'delivered', 9)]),
    ).toEqual({ status: 'succeeded', notifyStatus: 'delivered', finishedAt: 9, message: null });
  });

  it('fails when any shard failed, and says how many', () => {
    const out = broadcastOutcome([
      shard('succeeded', 'delivered', 5),
      shard('failed', 'delivered', 6),
      shard('succeeded', 'delivered', 7),
    ]);
    expect(out).toMatchObject({ status: 'failed', notifyStatus: 'delivered', finishedAt: 7 });
    expect(out.message).toBe('1 of 3 shards did not succeed (1 failed)');
  });

  it('is not delivered when one shard could not be notified', () => {
    expect(
      broadcastOutcome([shard('succeeded', 'delivered', 5), shard('failed', 'failed', 6)]),
    ).toMatchObject({
      status: 'failed',
      notifyStatus: 'failed',
    });
  });

  it('ranks failed over lost over cancelled', () => {
    expect(broadcastOutcome([shard('lost', 'delivered', 1), shard('cancelled', 'delivered', 2)]).status).toBe(
      'lost',
    );
    expect(
      broadcastOutcome([shard('cancelled', 'delivered', 1), shard('succeeded', 'delivered', 2)]).status,
    ).toBe('cancelled');
    expect(broadcastOutcome([shard('lost', 'delivered', 1), shard('failed', 'delivered', 2)]).status).toBe(
      'failed',
    );
  });
});
