/**
 * The HTTP request of a trigger (PROTOCOL.md §1): the job's own headers,
 * the run headers and the signature; a JSON body, or none for GET targets.
 * Shared by fires and test triggers so both are signed the same way.
 */
import type { Job } from '../domain/job.js';
import type { SendOptions } from './http-client.js';
import { signatureHeader } from './signing.js';

export function triggerRequest(
  target: Job['target'],
  url: string,
  runId: string,
  attempt: number,
  secret: string,
  /** The trigger body ('' for GET targets: the signature then covers an empty body). */
  body: string,
  sentAt: number,
  /** Marks a test trigger (`X-JobCenter-Test: 1`). */
  test = false,
): SendOptions {
  const headers: Record<string, string> = {
    ...target.headers,
    'x-jobcenter-run': runId,
    'x-jobcenter-attempt': String(attempt),
    ...(test ? { 'x-jobcenter-test': '1' } : {}),
    'x-jobcenter-signature': signatureHeader(secret, body, Math.floor(sentAt / 1000)),
  };
  if (target.method !== 'GET') headers['content-type'] = 'application/json';
  return {
    url,
    method: target.method,
    headers,
    body: target.method === 'GET' ? null : body,
    connectTimeoutMs: target.connectTimeoutMs,
    responseTimeoutMs: target.responseTimeoutMs,
  };
}
