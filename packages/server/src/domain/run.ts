/** Runs: statuses, the state machine's allowed moves, and the public shape (PROTOCOL.md §3). */

export const RUN_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'lost',
  'cancelled',
  'missed',
  'skipped',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const NOTIFY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type NotifyStatus = (typeof NOTIFY_STATUSES)[number];

export const TRIGGERS = ['schedule', 'manual', 'retry', 'catchup'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** Statuses a run can still leave. */
export const OPEN_STATUSES: readonly RunStatus[] = ['pending', 'running'];

export function isOpen(status: RunStatus): boolean {
  return status === 'pending' || status === 'running';
}

/**
 * Severity of an outcome, used to pick a trend bucket's "worst" status.
 * Higher is worse.
 */
export const STATUS_SEVERITY: Record<RunStatus, number> = {
  succeeded: 0,
  pending: 1,
  running: 2,
  cancelled: 3,
  skipped: 4,
  missed: 5,
  lost: 6,
  failed: 7,
};

export interface Attempt {
  n: number;
  member: string;
  sentAt: number;
  httpStatus: number | null;
  error: string | null;
  latencyMs: number | null;
  /** Broadcast: the shard the attempt was for. */
  shard?: number | null;
}

export interface Run {
  id: string;
  jobId: string;
  job: string;
  trigger: Trigger;
  scheduledAt: number;
  firedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  status: RunStatus;
  notifyStatus: NotifyStatus;
  timedOut: boolean;
  progress: number | null;
  message: string | null;
  output: unknown;
  lateResult: unknown;
  retryOf: string | null;
  member: string | null;
  params: Record<string, unknown>;
  timeoutAt: number | null;
  deadlineAt: number;
  attemptCount: number;
  nextAttemptAt: number | null;
  lastHeartbeatAt: number | null;
  truncated: boolean;
  /** Re-runs still allowed after this one. */
  retriesLeft: number;
  /** Broadcast: the number of shards (0 before they are made, and for other routings). */
  shardTotal: number;
}

/** A run result as a worker reports it (sync answer or callback). */
export interface RunResult {
  status: 'succeeded' | 'failed';
  message: string | null;
  output: unknown;
}
