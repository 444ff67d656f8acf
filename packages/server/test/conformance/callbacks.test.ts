/**
 * Protocol conformance, PROTOCOL.md §2 and §3: one test per way a worker
 * can misbehave when it reports back, on both dialects. The worker process
 * answers the first fire of an every-second job with 202 and then makes the
 * callbacks of a script (`params.script`), recording what JobCenter answered
 * each; the next fire it answers normally (a healthy sync run).
 */
import { afterAll, beforeAll, describe, expect as hookExpect, it } from 'vitest';
import { TRUNCATED_MARK } from '../../src/domain/callback-rules.js';
import { dialects } from '../helpers/databases.js';
import { received, type Started } from '../helpers/processes.js';
import { sleep, waitFor } from '../helpers/wait.js';
import {
  CAPS,
  type Conformance,
  ENDED,
  expectHealthyNextFire,
  type RunBody,
  startPairSetup,
  stopPairSetup,
  waitForCallbacks,
} from './harness.js';

const DIALECTS = await dialects();

const RESULT = { status: 'succeeded', message: 'first', output: { rows: 1 } };
const UNKNOWN_RUN = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

type Step = {
  kind: 'result' | 'progress';
  body?: Record<string, unknown>;
  raw?: string;
  token?: 'own' | 'wrong' | 'none' | 'other';
  /** With token "other": the run whose token is used. */
  tokenOf?: string;
  runId?: string;
  until?: string;
};

describe.each(DIALECTS)('a misbehaving worker reporting back, on %s', (dialect) => {
  let c: Conformance;
  let w1: Started;
  let w2: Started;

  beforeAll(async () => {
    ({ c, w1, w2 } = await startPairSetup(dialect));
  });

  afterAll(async () => {
    hookExpect(await stopPairSetup({ c, w1, w2 }), 'processes left running').toBe(0);
  });

  /**
   * A job whose first fire runs `script` after a 202; answers the first fire
   * (re-read once every callback was made), the next fire and JobCenter's answers.
   */
  async function scripted(
    name: string,
    script: Step[],
    spec: Record<string, unknown> = {},
    firstDone: (r: RunBody) => boolean = ENDED,
  ) {
    const id = await c.everySecond(name, {
      target: { group: 'one', path: '/script' },
      params: { bad: 1, script },
      ...spec,
    });
    const [first, next] = await c.firstTwoFires(id, firstDone);
    const answers = await waitForCallbacks(w1, first.id, script.length);
    return { first: await c.run(first.id), next, answers };
  }

  const statuses = (answers: { status: number | null }[]) => answers.map((a) => a.status);
  const code = (answer: { body: unknown } | undefined) =>
    (answer?.body as { error?: { code?: string } } | undefined)?.error?.code;

  describe.concurrent('each misbehaviour', () => {
    it('calls back twice with the same result: 200 both times, recorded once', async ({ expect }) => {
      const { first, next, answers } = await scripted('result-twice', [
        { kind: 'result', body: RESULT },
        { kind: 'result', body: RESULT },
      ]);
      expect(statuses(answers)).toEqual([200, 200]);
      expect(first).toMatchObject({
        status: 'succeeded',
        notifyStatus: 'delivered',
        message: 'first',
        output: { rows: 1 },
        progress: 100,
        lateResult: null,
      });
      expect(first.attempts).toEqual([expect.objectContaining({ n: 1, httpStatus: 202, error: null })]);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('calls back with a different result: 409 result_conflict, the first result stands', async ({
      expect,
    }) => {
      const { first, next, answers } = await scripted('result-conflict', [
        { kind: 'result', body: RESULT },
        { kind: 'result', body: { status: 'failed', message: 'second thoughts' } },
        { kind: 'result', body: { ...RESULT, output: { rows: 2 } } },
        { kind: 'result', body: { ...RESULT, message: 'other words' } },
      ]);
      expect(statuses(answers)).toEqual([200, 409, 409, 409]);
      for (const answer of answers.slice(1)) expect(code(answer)).toBe('result_conflict');
      expect(first).toMatchObject({
        status: 'succeeded',
        notifyStatus: 'delivered',
        message: 'first',
        output: { rows: 1 },
        lateResult: null,
      });
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('calls back after the run was declared lost: 200, kept as lateResult, the status stays lost', async ({
      expect,
    }) => {
      const { first, next, answers } = await scripted(
        'result-after-lost',
        [
          { kind: 'result', body: RESULT, until: 'lost' },
          { kind: 'progress', body: { progress: 90, message: 'still here' } },
          { kind: 'result', body: { status: 'failed', message: 'a second late result' } },
        ],
        { deadlineSec: 0.4 },
        (r) => r.status === 'lost',
      );
      expect(statuses(answers)).toEqual([200, 409, 200]);
      expect(code(answers[1]), 'progress after the end').toBe('run_finished');
      expect(first).toMatchObject({
        status: 'lost',
        notifyStatus: 'delivered',
        output: null,
        lateResult: {
          status: 'succeeded',
          message: 'first',
          output: { rows: 1 },
          at: expect.any(String),
        },
      });
      expect(first.message).toMatch(/lost/);
      expect(first.events, 'the progress after the end was not recorded').toEqual([]);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it("a wrong token, a missing token or another run's token: 401, nothing changes", async ({ expect }) => {
      // A run this worker has seen, whose token the script then tries on the new run.
      const other = await c.everySecond('token-donor', { target: { group: 'one', path: '/ok' } });
      const [donor] = await c.firstTwoFires(other, ENDED);
      const { first, next, answers } = await scripted('token-misuse', [
        { kind: 'result', body: RESULT, token: 'wrong' },
        { kind: 'result', body: RESULT, token: 'other', tokenOf: donor.id },
        { kind: 'result', body: RESULT, token: 'none' },
        { kind: 'progress', body: { progress: 10 }, token: 'wrong' },
        { kind: 'progress', body: { progress: 10 }, token: 'other', tokenOf: donor.id },
        { kind: 'result', body: RESULT },
      ]);
      expect(statuses(answers)).toEqual([401, 401, 401, 401, 401, 200]);
      for (const answer of answers.slice(0, 5)) expect(code(answer)).toBe('unauthorized');
      expect(first).toMatchObject({ status: 'succeeded', message: 'first', output: { rows: 1 } });
      expect(first.events, 'no progress was taken').toEqual([]);
      const donorAfter = await c.run(donor.id);
      expect(donorAfter, 'the run whose token was misused is untouched').toEqual(donor);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('reports to an unknown run: 404', async ({ expect }) => {
      const { first, next, answers } = await scripted('unknown-run', [
        { kind: 'result', body: RESULT, runId: UNKNOWN_RUN },
        { kind: 'progress', body: { progress: 10 }, runId: UNKNOWN_RUN },
        { kind: 'result', body: RESULT },
      ]);
      expect(statuses(answers)).toEqual([404, 404, 200]);
      for (const answer of answers.slice(0, 2)) expect(code(answer)).toBe('run_not_found');
      expect(first).toMatchObject({ status: 'succeeded', message: 'first' });
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('sends garbage JSON or an invalid body: 400, nothing changes', async ({ expect }) => {
      const { first, next, answers } = await scripted('garbage-callbacks', [
        { kind: 'result', raw: '{"status": "succ' },
        { kind: 'progress', raw: 'this is not json' },
        { kind: 'result', body: { status: 'maybe' } },
        { kind: 'result', body: { ...RESULT, extra: true } },
        { kind: 'progress', body: { progress: 150 } },
        { kind: 'result', body: RESULT },
      ]);
      expect(statuses(answers)).toEqual([400, 400, 400, 400, 400, 200]);
      for (const answer of answers.slice(0, 5)) expect(code(answer)).toEqual(expect.any(String));
      expect(first).toMatchObject({ status: 'succeeded', message: 'first', output: { rows: 1 } });
      expect(first.events, 'no progress was taken').toEqual([]);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('sends progress after the run ended: 409 run_finished, nothing recorded', async ({ expect }) => {
      const { first, next, answers } = await scripted('progress-after-end', [
        { kind: 'progress', body: { progress: 40, message: 'working', log: ['a'] } },
        { kind: 'result', body: RESULT },
        { kind: 'progress', body: { progress: 50, message: 'too late', log: ['b'] } },
      ]);
      expect(statuses(answers)).toEqual([200, 200, 409]);
      expect(code(answers[2])).toBe('run_finished');
      expect(first).toMatchObject({ status: 'succeeded', message: 'first', progress: 100 });
      expect(first.events).toEqual([
        expect.objectContaining({ progress: 40, message: 'working', log: ['a'] }),
      ]);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('sends output, message and log over the caps: stored truncated and marked', async ({ expect }) => {
      const { maxMessageChars, maxLogBytes } = CAPS.reportLimits;
      const line = 'l'.repeat(49);
      const big = { status: 'succeeded', message: 'm'.repeat(500), output: { blob: 'x'.repeat(5_000) } };
      const { first, next, answers } = await scripted('over-the-caps', [
        { kind: 'progress', body: { message: 'p'.repeat(500), log: Array.from({ length: 20 }, () => line) } },
        { kind: 'progress', body: { log: ['after the cap'] } },
        { kind: 'result', body: big },
        { kind: 'result', body: big },
      ]);
      expect(statuses(answers), 'the same oversized result twice is still a duplicate').toEqual([
        200, 200, 200, 200,
      ]);
      expect(first).toMatchObject({
        status: 'succeeded',
        truncated: true,
        message: `${'m'.repeat(maxMessageChars)}${TRUNCATED_MARK}`,
        output: { truncated: true, bytes: expect.any(Number), preview: expect.any(String) },
      });
      const events = first.events ?? [];
      expect(events[0]?.message).toBe(`${'p'.repeat(maxMessageChars)}${TRUNCATED_MARK}`);
      const log = events.flatMap((e) => e.log);
      expect(log.at(-1), 'the cut is marked').toBe(TRUNCATED_MARK);
      expect(
        log.filter((l) => l === TRUNCATED_MARK),
        'marked once',
      ).toHaveLength(1);
      const kept = log.slice(0, -1);
      expect(kept.every((l) => l === line)).toBe(true);
      expect(kept.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)).toBeLessThanOrEqual(maxLogBytes);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('hangs past the response timeout but reports a result later: kept as lateResult, the run stays not delivered', async ({
      expect,
    }) => {
      const id = await c.everySecond('hang-then-result', {
        target: { group: 'one', path: '/hang', responseTimeoutMs: 300 },
        params: { bad: 1, script: [{ kind: 'result', body: RESULT, until: 'failed' }] },
      });
      const [first, next] = await c.firstTwoFires(id, ENDED);
      const [answer] = await waitForCallbacks(w1, first.id, 1);
      const after = await waitFor(async () => {
        const run = await c.run(first.id);
        return run.finishedAt !== null ? run : undefined;
      }, 'the run after the late report');
      // As for a run declared lost (§2): 200, kept as lateResult, the outcome stays.
      expect(answer?.status).toBe(200);
      expect(after).toMatchObject({ status: 'failed', notifyStatus: 'failed' });
      await waitFor(async () => (await c.run(first.id)).lateResult !== null, 'the late result');
      expect(after.attempts).toEqual([
        expect.objectContaining({ n: 1, httpStatus: null, error: 'no answer within 300 ms' }),
      ]);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    // The run already has its final result by callback when its trigger's answer times out:
    // until_delivered must not send it again (PROTOCOL.md §2 "a result is final", §4
    // until_delivered "until a member accepts").
    it('until_delivered: a run finished by callback before its answer timed out is not sent to another member', async ({
      expect,
    }) => {
      const { run, triggersTo } = await finishedByCallbackWhileHanging('pair', 'callback-then-timeout-pair');
      expect(await triggersTo(w2), 'the second member never gets the finished run').toBe(0);
      expect(run.attempts).toHaveLength(1);
    });

    it('until_delivered: a run finished by callback before its answer timed out is not sent again', async ({
      expect,
    }) => {
      const { run, triggersTo } = await finishedByCallbackWhileHanging('one', 'callback-then-timeout-one');
      expect(await triggersTo(w1), 'one trigger, no retry rounds').toBe(1);
      expect(run.attempts).toHaveLength(1);
    });
  });

  /**
   * w1 hangs on the trigger but reports progress and the result by callback at once; after its
   * answer timed out, waits a while (retries are due within the FAST backoff of ≤ 400 ms).
   */
  async function finishedByCallbackWhileHanging(group: 'one' | 'pair', name: string) {
    const created = await c.api<{ id: string }>('POST', '/api/v1/jobs', {
      name,
      schedule: { cron: '0 0 1 1 *' },
      target: { group, path: '/hang', responseTimeoutMs: 300 },
      routing: 'first',
      delivery: 'until_delivered',
      deadlineSec: 4,
      params: {
        only: 'w1',
        script: [
          { kind: 'progress', body: { progress: 10 } },
          { kind: 'result', body: RESULT },
        ],
      },
    });
    const trigger = await c.api<RunBody>('POST', `/api/v1/jobs/${created.body.id}/trigger`, {});
    const id = trigger.body.id;
    await waitForCallbacks(w1, id, 2);
    await waitFor(async () => {
      const run = await c.run(id);
      return run.status === 'succeeded' && run.attempts.length >= 1 ? run : undefined;
    }, 'the result by callback, then the first answer timing out');
    await sleep(1_500);
    const run = await c.run(id);
    const triggersTo = async (worker: Started) =>
      (await received(worker)).filter((r) => r.body?.runId === id).length;
    return { run, triggersTo };
  }
});
