/**
 * What a worker's report does to a run (PROTOCOL.md §2). Pure rules; the
 * store applies them inside a transaction.
 */
import type { NotifyStatus, RunResult, RunStatus } from './run.js';

export type ResultDecision =
  /** First result: the run ends with it. */
  | 'accept'
  /** The same result again: answer 200, change nothing. */
  | 'duplicate'
  /** A different result after the first: answer 409, change nothing. */
  | 'conflict'
  /** The run was declared lost or cancelled, or given up as not delivered: keep it as `lateResult`, answer 200. */
  | 'late'
  /** The run was never sent (missed or skipped): answer 409. */
  | 'never_sent';

export interface StoredOutcome {
  status: RunStatus;
  message: string | null;
  /** The stored output as JSON text, or null. */
  outputJson: string | null;
  hasLateResult: boolean;
  /** The run's notification outcome. Default `delivered`. */
  notifyStatus?: NotifyStatus;
}

export function decideResult(
  run: StoredOutcome,
  incoming: RunResult,
  incomingOutputJson: string | null,
): ResultDecision {
  switch (run.status) {
    case 'pending':
    case 'running':
      return 'accept';
    case 'lost':
    case 'cancelled':
      return 'late';
    case 'missed':
    case 'skipped':
      return 'never_sent';
    case 'succeeded':
    case 'failed':
      // Given up as not delivered, yet the worker did run it (it hung past the response timeout):
      // its result is kept aside like a result after `lost`.
      if (run.status === 'failed' && run.notifyStatus === 'failed') return 'late';
      return run.status === incoming.status &&
        run.message === incoming.message &&
        run.outputJson === incomingOutputJson
        ? 'duplicate'
        : 'conflict';
  }
}

export type ProgressDecision = 'accept' | 'ended';

export function decideProgress(status: RunStatus): ProgressDecision {
  return status === 'pending' || status === 'running' ? 'accept' : 'ended';
}

/** Caps on what one run may store; beyond them content is cut and the run marked `truncated`. */
export interface ReportLimits {
  /** Characters of `message`. Default 4,000. */
  maxMessageChars: number;
  /** Bytes of `output` as JSON. Default 65,536. */
  maxOutputBytes: number;
  /** Bytes of log lines per run, all calls together. Default 1,048,576. */
  maxLogBytes: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = {
  maxMessageChars: 4_000,
  maxOutputBytes: 65_536,
  maxLogBytes: 1_048_576,
};

export const TRUNCATED_MARK = '…[truncated]';

export function capMessage(
  message: string | null | undefined,
  limits: ReportLimits,
): { value: string | null; cut: boolean } {
  if (message === null || message === undefined) return { value: null, cut: false };
  if (message.length <= limits.maxMessageChars) return { value: message, cut: false };
  return { value: message.slice(0, limits.maxMessageChars) + TRUNCATED_MARK, cut: true };
}

/** Output as JSON text, replaced by `{"truncated": true, "preview": "…"}` when too large. */
export function capOutput(output: unknown, limits: ReportLimits): { json: string | null; cut: boolean } {
  if (output === undefined || output === null) return { json: null, cut: false };
  const json = JSON.stringify(output);
  if (Buffer.byteLength(json) <= limits.maxOutputBytes) return { json, cut: false };
  const preview = json.slice(0, Math.max(0, Math.floor(limits.maxOutputBytes / 2)));
  return { json: JSON.stringify({ truncated: true, bytes: Buffer.byteLength(json), preview }), cut: true };
}

/** The log lines that still fit in the run's budget, given what it already stored. */
export function capLog(
  lines: readonly string[],
  storedBytes: number,
  limits: ReportLimits,
): { lines: string[]; bytes: number; cut: boolean } {
  const kept: string[] = [];
  let bytes = storedBytes;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (bytes + size > limits.maxLogBytes) {
      // A stored size past the cap means the mark was already written.
      if (storedBytes <= limits.maxLogBytes) kept.push(TRUNCATED_MARK);
      return { lines: kept, bytes: limits.maxLogBytes + 1, cut: true };
    }
    kept.push(line);
    bytes += size;
  }
  return { lines: kept, bytes, cut: false };
}

/**
 * The stored form of a late result (PROTOCOL.md §2 `lateResult`): the
 * result as capped for storage, and when it came.
 */
export function lateResultJson(
  status: RunResult['status'],
  message: string | null,
  outputJson: string | null,
  at: number,
): string {
  return JSON.stringify({
    status,
    message,
    output: outputJson === null ? null : JSON.parse(outputJson),
    at: new Date(at).toISOString(),
  });
}
