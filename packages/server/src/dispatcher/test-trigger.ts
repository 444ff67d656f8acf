/**
 * A test trigger: one signed request to one member, exactly as a fire would
 * send it but with `"trigger": "test"` and the header `X-JobCenter-Test: 1`,
 * under a fresh run id that is never stored. Nothing is recorded as a run:
 * the answer is only shown to the caller (the job editor's "test target").
 * A worker that answers 202 and reports back gets 404 from the callback,
 * since the run does not exist.
 */
import type { Clock } from '../clock.js';
import type { Job } from '../domain/job.js';
import { newId, runToken } from '../ids.js';
import { readAnswer } from './answer.js';
import type { HttpClient } from './http-client.js';
import { callbackBase, TriggerBodies } from './trigger-body.js';
import { triggerRequest } from './trigger-request.js';

export interface TestTriggerDeps {
  http: HttpClient;
  clock: Clock;
  serverKey: Buffer;
  publicUrl: () => string;
}

export interface TestTriggerResult {
  runId: string;
  member: string;
  url: string;
  sentAt: number;
  httpStatus: number | null;
  latencyMs: number;
  /** accepted (202), finished (sync result), failed (anything else, with `error`). */
  outcome: 'accepted' | 'finished' | 'failed';
  result: { status: string; message: string | null; output: unknown } | null;
  error: string | null;
  /** The start of the answer's body, as text (at most 4 KiB). */
  body: string | null;
}

const BODY_SHOWN = 4096;

export async function sendTestTrigger(
  deps: TestTriggerDeps,
  job: Job,
  member: string,
  secret: string,
  params: Record<string, unknown>,
): Promise<TestTriggerResult> {
  const runId = newId(deps.clock.now());
  const sentAt = deps.clock.now();
  const target = job.target;
  const url = target.url ?? `${member}${target.path ?? ''}`;
  const body =
    target.method === 'GET'
      ? ''
      : new TriggerBodies().build({
          runId,
          job,
          scheduledAt: sentAt,
          firedAt: sentAt,
          attempt: 1,
          trigger: 'test',
          params: { ...job.params, ...params },
          callbackBase: callbackBase(deps.publicUrl()),
          token: runToken(deps.serverKey, runId),
        });
  const sent = await deps.http.send(triggerRequest(target, url, runId, 1, secret, body, sentAt, true));
  const answer = readAnswer(sent);
  return {
    runId,
    member: target.url ?? member,
    url,
    sentAt,
    httpStatus: sent.ok ? sent.status : null,
    latencyMs: sent.latencyMs,
    outcome: answer.kind,
    result: answer.kind === 'finished' ? answer.result : null,
    error: answer.kind === 'failed' ? answer.error : null,
    body: sent.ok ? sent.body.slice(0, BODY_SHOWN) : null,
  };
}
