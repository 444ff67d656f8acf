/**
 * The run state machine of PROTOCOL.md §3 as data: which moves of `status`
 * and of `notifyStatus` are allowed, and what a worker's report does to a
 * run in each status (§2). Pure; the store's guarded UPDATEs apply the same
 * rules in SQL, and test/run-state-store.test.ts checks that they agree.
 */
import type { NotifyStatus, RunStatus } from './run.js';

/**
 * Allowed moves of `status`. A run is written `pending` when it fires, or
 * directly `missed` / `skipped` when it is never sent; finished statuses
 * never move (a later result is kept apart, as `lateResult`).
 */
export const STATUS_MOVES: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  pending: ['running', 'succeeded', 'failed', 'lost', 'cancelled', 'skipped'],
  running: ['succeeded', 'failed', 'lost', 'cancelled'],
  succeeded: [],
  failed: [],
  lost: [],
  cancelled: [],
  missed: [],
  skipped: [],
};

/** The statuses a run row may be written with. */
export const INITIAL_STATUSES: readonly RunStatus[] = ['pending', 'missed', 'skipped'];

/** Allowed moves of `notifyStatus`: once decided, the notification outcome never changes. */
export const NOTIFY_MOVES: Readonly<Record<NotifyStatus, readonly NotifyStatus[]>> = {
  pending: ['delivered', 'failed', 'skipped'],
  delivered: [],
  failed: [],
  skipped: [],
};

/** The notify statuses a run row may be written with (`skipped` for missed and skipped runs). */
export const INITIAL_NOTIFY_STATUSES: readonly NotifyStatus[] = ['pending', 'skipped'];

/** Whether `status` may move to `to` (staying put is not a move). */
export function canMove(from: RunStatus, to: RunStatus): boolean {
  return STATUS_MOVES[from].includes(to);
}

/** Whether `notifyStatus` may move to `to` (staying put is not a move). */
export function canMoveNotify(from: NotifyStatus, to: NotifyStatus): boolean {
  return NOTIFY_MOVES[from].includes(to);
}

/** A status with no move left. */
export function isFinal(status: RunStatus): boolean {
  return STATUS_MOVES[status].length === 0;
}

/** Progress (a heartbeat) is taken while the run can still move; after that it answers 409. */
export function acceptsProgress(status: RunStatus): boolean {
  return !isFinal(status);
}

/** `timedOut` is set only on runs still unfinished when their timeout passes. */
export function canFlagTimedOut(status: RunStatus): boolean {
  return !isFinal(status);
}

/**
 * The (status, notifyStatus) pairs a run can be in. A run is `pending` until
 * the notification is decided; a finished run's notification is decided,
 * except a cancelled run's, which stays "as it was" (§3). A notification
 * still pending at the cancel is also read as `skipped`, since it will never
 * be sent: the store writes that for all but broadcast runs.
 */
export const STATE_PAIRS: readonly { status: RunStatus; notifyStatus: NotifyStatus }[] = [
  { status: 'pending', notifyStatus: 'pending' },
  { status: 'running', notifyStatus: 'delivered' },
  { status: 'succeeded', notifyStatus: 'delivered' },
  { status: 'failed', notifyStatus: 'delivered' },
  { status: 'failed', notifyStatus: 'failed' },
  { status: 'lost', notifyStatus: 'delivered' },
  { status: 'cancelled', notifyStatus: 'pending' },
  { status: 'cancelled', notifyStatus: 'skipped' },
  { status: 'cancelled', notifyStatus: 'delivered' },
  { status: 'missed', notifyStatus: 'skipped' },
  { status: 'skipped', notifyStatus: 'skipped' },
];

export function isConsistent(status: RunStatus, notifyStatus: NotifyStatus): boolean {
  return STATE_PAIRS.some((p) => p.status === status && p.notifyStatus === notifyStatus);
}

/**
 * Whether the answer to a trigger attempt may still change the run: only
 * while nothing else has (no callback, monitor or cancel moved it on).
 * Once this is false, no further attempt has anything to deliver.
 */
export function acceptsDeliveryOutcome(status: RunStatus, notifyStatus: NotifyStatus): boolean {
  return status === 'pending' && notifyStatus === 'pending';
}

/** What a worker's result does to a run in a given status (PROTOCOL.md §2). */
export type ResultEffect =
  /** The result ends the run: `status` becomes the result's, the notification is proven delivered. */
  | { kind: 'finish'; status: 'succeeded' | 'failed'; notifyStatus: 'delivered' }
  /** The run already has a result: an identical one answers 200, a different one 409; nothing changes. */
  | { kind: 'compare' }
  /** Declared lost or cancelled: the result is kept as `lateResult` (200) and the status stays. */
  | { kind: 'late' }
  /** Never sent (missed or skipped): there is nothing to report on (409). */
  | { kind: 'refuse' };

/** The effect of a result with status `result` on a run in `status` (and `notifyStatus`). */
export function nextOnResult(
  status: RunStatus,
  result: 'succeeded' | 'failed',
  notifyStatus: NotifyStatus = 'delivered',
): ResultEffect {
  switch (status) {
    case 'pending':
    case 'running':
      return { kind: 'finish', status: result, notifyStatus: 'delivered' };
    case 'succeeded':
    case 'failed':
      // A run given up as not delivered keeps a result that comes anyway aside, like after `lost`.
      return status === 'failed' && notifyStatus === 'failed' ? { kind: 'late' } : { kind: 'compare' };
    case 'lost':
    case 'cancelled':
      return { kind: 'late' };
    case 'missed':
    case 'skipped':
      return { kind: 'refuse' };
  }
}

/** One line of the table in PROTOCOL.md §3: what happened, and the two outcomes it leaves. */
export interface ProtocolOutcome {
  what: string;
  status: RunStatus;
  /** `null`: "as it was" (a cancelled run keeps its notification outcome). */
  notifyStatus: NotifyStatus | null;
}

/** The table of PROTOCOL.md §3, row by row (a sync or callback result is two rows). */
export const PROTOCOL_OUTCOMES: readonly ProtocolOutcome[] = [
  { what: 'a member accepted (202) and is working', status: 'running', notifyStatus: 'delivered' },
  { what: 'sync or callback result: succeeded', status: 'succeeded', notifyStatus: 'delivered' },
  { what: 'sync or callback result: failed', status: 'failed', notifyStatus: 'delivered' },
  {
    what: 'no member accepted within the delivery guarantee',
    status: 'failed',
    notifyStatus: 'failed',
  },
  {
    what: 'the fire was due while no scheduler ran, or the misfire policy skipped it',
    status: 'missed',
    notifyStatus: 'skipped',
  },
  {
    what: 'until_delivered_if_idle and the previous run was still pending or running',
    status: 'skipped',
    notifyStatus: 'skipped',
  },
  {
    what: 'no result before deadlineSec (or no heartbeat for heartbeatSec)',
    status: 'lost',
    notifyStatus: 'delivered',
  },
  { what: 'cancelled by an operator', status: 'cancelled', notifyStatus: null },
];
