/** How a worker's answer to a trigger reads (PROTOCOL.md §1). */
import type { RunResult } from '../domain/run.js';
import type { SendResult } from './http-client.js';

export type Answer =
  | { kind: 'accepted' }
  | { kind: 'finished'; result: RunResult }
  | { kind: 'failed'; error: string | null };

export function readAnswer(sent: SendResult): Answer {
  if (!sent.ok) return { kind: 'failed', error: sent.error };
  const { status } = sent;
  if (status === 202) return { kind: 'accepted' };
  if (status === 409) return { kind: 'failed', error: 'member busy (409)' };
  if (status !== 200 && status !== 201 && status !== 204) {
    return { kind: 'failed', error: `HTTP ${status}${sent.body ? `: ${sent.body.slice(0, 200)}` : ''}` };
  }
  if (sent.truncated) {
    return {
      kind: 'finished',
      result: {
        status: 'failed',
        message: `the worker's answer was larger than maxResponseBytes and was not read: report large output by callback`,
        output: null,
      },
    };
  }
  return { kind: 'finished', result: syncResult(sent.body) };
}

/** A 2xx body: `{status, message?, output?}`; no JSON or no `status` means succeeded. */
export function syncResult(body: string): RunResult {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? null : JSON.parse(body);
  } catch {
    return { status: 'succeeded', message: null, output: null };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { status: 'succeeded', message: null, output: null };
  }
  const record = parsed as Record<string, unknown>;
  const message = typeof record.message === 'string' ? record.message : null;
  const output = record.output === undefined ? null : record.output;
  if (record.status === undefined || record.status === 'succeeded')
    return { status: 'succeeded', message, output };
  if (record.status === 'failed') return { status: 'failed', message, output };
  return {
    status: 'failed',
    message: `worker answered an unknown status ${JSON.stringify(record.status).slice(0, 100)}${message ? `: ${message}` : ''}`,
    output,
  };
}
