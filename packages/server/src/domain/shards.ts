/** Broadcast runs: one shard per member, and the run's outcome from its shards (PROTOCOL.md §3). */
import type { NotifyStatus, RunStatus } from './run.js';

export interface ShardState {
  status: RunStatus;
  notifyStatus: NotifyStatus;
  finishedAt: number | null;
}

export interface BroadcastOutcome {
  status: RunStatus;
  notifyStatus: NotifyStatus;
  /** When the last shard finished; null while any shard is open. */
  finishedAt: number | null;
  /** Says which shards spoilt the run; null when every shard succeeded or some are still open. */
  message: string | null;
}

const OPEN: readonly RunStatus[] = ['pending', 'running'];

/**
 * The run's status from its shards: open while any shard is open (`running`
 * once one shard was delivered); when all have ended, `succeeded` only if
 * every shard succeeded, else the worst of `failed`, `lost`, `cancelled`.
 * Delivered only when every shard was; `failed` once any shard's delivery
 * failed and none is still pending.
 */
export function broadcastOutcome(shards: readonly ShardState[]): BroadcastOutcome {
  const total = shards.length;
  const open = shards.filter((s) => OPEN.includes(s.status));
  const notifyPending = shards.some((s) => s.notifyStatus === 'pending');
  const notifyStatus: NotifyStatus = notifyPending
    ? 'pending'
    : shards.every((s) => s.notifyStatus === 'delivered')
      ? 'delivered'
      : 'failed';
  if (total === 0)
    return { status: 'failed', notifyStatus: 'failed', finishedAt: null, message: 'no shards' };
  if (open.length > 0) {
    const started = shards.some((s) => s.notifyStatus === 'delivered' || s.status === 'running');
    return { status: started ? 'running' : 'pending', notifyStatus, finishedAt: null, message: null };
  }
  const finishedAt = Math.max(...shards.map((s) => s.finishedAt ?? 0));
  const count = (status: RunStatus) => shards.filter((s) => s.status === status).length;
  for (const status of ['failed', 'lost', 'cancelled'] as const) {
    const n = count(status);
    if (n > 0) {
      return {
        status,
        notifyStatus,
        finishedAt,
        message: `${total - count('succeeded')} of ${total} shards did not succeed (${n} ${status})`,
      };
    }
  }
  return { status: 'succeeded', notifyStatus, finishedAt, message: null };
}
