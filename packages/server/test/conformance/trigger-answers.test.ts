/**
 * Protocol conformance, PROTOCOL.md §1 and §3: one test per way a worker
 * can misbehave when it is triggered, on both dialects. Each job fires every
 * second; the worker misbehaves on its first fire only (`params.bad: 1`),
 * so every test asserts what was recorded for that fire (status,
 * notifyStatus, attempts, timedOut, message) and that the next fire is an
 * independent, healthy run.
 */
import { afterAll, beforeAll, describe, expect as hookExpect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { received, type Started } from '../helpers/processes.js';
import { sleep, waitFor } from '../helpers/wait.js';
import {
  type Conformance,
  ENDED,
  expectHealthyNextFire,
  type RunBody,
  startPairSetup,
  stopPairSetup,
} from './harness.js';

const DIALECTS = await dialects();

describe.each(DIALECTS)('a misbehaving worker answering triggers, on %s', (dialect) => {
  let c: Conformance;
  let w1: Started;
  let w2: Started;

  beforeAll(async () => {
    ({ c, w1, w2 } = await startPairSetup(dialect));
  });

  afterAll(async () => {
    hookExpect(await stopPairSetup({ c, w1, w2 }), 'processes left running').toBe(0);
  });

  describe.concurrent('each misbehaviour', () => {
    it('slow to answer, within the response timeout: succeeds, the latency is recorded', async ({
      expect,
    }) => {
      const id = await c.everySecond('slow', {
        target: { group: 'one', path: '/slow', responseTimeoutMs: 5_000 },
        params: { bad: 1, delayMs: 400 },
      });
      const [first, next] = await c.firstTwoFires(id, ENDED);
      expect(first).toMatchObject({
        status: 'succeeded',
        notifyStatus: 'delivered',
        member: w1.url,
        message: 'ok by w1',
        timedOut: false,
      });
      expect(first.attempts).toEqual([
        expect.objectContaining({ n: 1, member: w1.url, httpStatus: 200, error: null }),
      ]);
      // Lower bounds only (the worker waited 400 ms); a few ms of slack for timer rounding.
      expect(first.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(350);
      expect(first.durationMs).toBeGreaterThanOrEqual(350);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('answers 500: the attempt failed (once: not delivered; until_delivered: retried until the next fire)', async ({
      expect,
    }) => {
      const once = await c.everySecond('error-once', {
        target: { group: 'one', path: '/error' },
        params: { bad: 1 },
      });
      const retried = await c.everySecond('error-until-delivered', {
        target: { group: 'one', path: '/error' },
        delivery: 'until_delivered',
        params: { bad: 1 },
      });
      const [[first, next], [firstRetried, nextRetried]] = await Promise.all([
        c.firstTwoFires(once, ENDED),
        c.firstTwoFires(retried, ENDED),
      ]);
      expect(first).toMatchObject({ status: 'failed', notifyStatus: 'failed', member: null });
      expect(first.message).toMatch(/not delivered/);
      expect(first.attempts).toEqual([
        expect.objectContaining({
          n: 1,
          member: w1.url,
          httpStatus: 500,
          error: expect.stringMatching(/^HTTP 500/),
        }),
      ]);
      expectHealthyNextFire(expect, first, next, w1.url);

      // until_delivered keeps trying the only member, then gives up when the next fire comes.
      expect(firstRetried).toMatchObject({ status: 'failed', notifyStatus: 'failed' });
      expect(firstRetried.message).toMatch(/not delivered/);
      expect(firstRetried.attempts.length, 'tried again after the 500').toBeGreaterThan(1);
      expect(firstRetried.attempts.map((a) => a.n)).toEqual(firstRetried.attempts.map((_, i) => i + 1));
      for (const a of firstRetried.attempts) expect(a).toMatchObject({ httpStatus: 500, member: w1.url });
      expectHealthyNextFire(expect, firstRetried, nextRetried, w1.url);
    });

    it('answers 409 busy: that attempt failed; until_delivered tries the other member, once gives up', async ({
      expect,
    }) => {
      const failover = await c.everySecond('busy-failover', {
        target: { group: 'pair', path: '/busy' },
        routing: 'first',
        delivery: 'until_delivered',
        params: { bad: 1, only: 'w1' },
      });
      const once = await c.everySecond('busy-once', {
        target: { group: 'one', path: '/busy' },
        params: { bad: 1 },
      });
      const [[first, next], [firstOnce, nextOnce]] = await Promise.all([
        c.firstTwoFires(failover, ENDED),
        c.firstTwoFires(once, ENDED),
      ]);
      expect(first).toMatchObject({ status: 'succeeded', notifyStatus: 'delivered', member: w2.url });
      expect(first.attempts).toEqual([
        expect.objectContaining({ n: 1, member: w1.url, httpStatus: 409, error: 'member busy (409)' }),
        expect.objectContaining({ n: 2, member: w2.url, httpStatus: 200, error: null }),
      ]);
      // routing "first": the next fire starts again with the first member, which is free now.
      expectHealthyNextFire(expect, first, next, w1.url);

      expect(firstOnce).toMatchObject({ status: 'failed', notifyStatus: 'failed' });
      expect(firstOnce.attempts).toEqual([
        expect.objectContaining({ n: 1, httpStatus: 409, error: 'member busy (409)' }),
      ]);
      expectHealthyNextFire(expect, firstOnce, nextOnce, w1.url);
    });

    it('hangs before answering: the response timeout fails the attempt', async ({ expect }) => {
      const id = await c.everySecond('hang', {
        target: { group: 'one', path: '/hang', responseTimeoutMs: 300 },
        params: { bad: 1 },
      });
      const [first, next] = await c.firstTwoFires(id, ENDED);
      expect(first).toMatchObject({ status: 'failed', notifyStatus: 'failed', timedOut: false });
      expect(first.message).toMatch(/not delivered/);
      expect(first.attempts).toEqual([
        expect.objectContaining({ n: 1, member: w1.url, httpStatus: null, error: 'no answer within 300 ms' }),
      ]);
      expect(first.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(250);
      const triggers = (await received(w1)).filter((r) => r.body?.runId === first.id);
      expect(triggers, 'once: a single trigger').toHaveLength(1);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('drops the connection mid-request (before answering, or halfway through the answer)', async ({
      expect,
    }) => {
      const early = await c.everySecond('drop', {
        target: { group: 'one', path: '/drop' },
        params: { bad: 1 },
      });
      const midAnswer = await c.everySecond('drop-body', {
        target: { group: 'one', path: '/drop-body' },
        params: { bad: 1 },
      });
      const [[first, next], [firstMid, nextMid]] = await Promise.all([
        c.firstTwoFires(early, ENDED),
        c.firstTwoFires(midAnswer, ENDED),
      ]);
      for (const [run, following] of [
        [first, next],
        [firstMid, nextMid],
      ] as const) {
        expect(run).toMatchObject({ status: 'failed', notifyStatus: 'failed' });
        expect(run.message).toMatch(/not delivered/);
        expect(run.attempts).toHaveLength(1);
        expect(run.attempts[0]).toMatchObject({ n: 1, member: w1.url, error: expect.any(String) });
        expect(run.attempts[0]?.error, 'a connection error, not a timeout').not.toMatch(/no answer within/);
        expectHealthyNextFire(expect, run, following, w1.url);
      }
      expect(first.attempts[0]?.httpStatus, 'no answer at all').toBeNull();
    });

    it('answers 202 and never calls back: running, then lost at deadlineSec (and timedOut past timeoutSec)', async ({
      expect,
    }) => {
      const id = await c.everySecond('silent', {
        target: { group: 'one', path: '/silent' },
        timeoutSec: 0.2,
        deadlineSec: 0.5,
        params: { bad: 1 },
      });
      const [first, next] = await c.firstTwoFires(id, ENDED);
      expect(first).toMatchObject({
        status: 'lost',
        notifyStatus: 'delivered',
        timedOut: true,
        member: w1.url,
        lateResult: null,
        output: null,
      });
      expect(first.message).toMatch(/lost/);
      expect(first.finishedAt).not.toBeNull();
      expect(first.attempts).toEqual([
        expect.objectContaining({ n: 1, member: w1.url, httpStatus: 202, error: null }),
      ]);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('a 2xx answer without JSON (or without status) is a success (§1)', async ({ expect }) => {
      const paths = ['/sync-garbage', '/sync-text', '/sync-empty', '/sync-204', '/sync-nostatus'];
      const ids = await Promise.all(
        paths.map((path) =>
          c.everySecond(`answer${path.replace('/', '-')}`, {
            target: { group: 'one', path },
            params: { bad: 1 },
          }),
        ),
      );
      const fires = await Promise.all(ids.map((id) => c.firstTwoFires(id, ENDED)));
      for (const [i, [first, next]] of fires.entries()) {
        const path = paths[i] as string;
        expect(first, path).toMatchObject({ status: 'succeeded', notifyStatus: 'delivered', output: null });
        expect(first.message, path).toBe(path === '/sync-nostatus' ? 'no status here' : null);
        expect(first.attempts, path).toEqual([
          expect.objectContaining({
            n: 1,
            httpStatus: path === '/sync-204' ? 204 : 200,
            error: null,
          }),
        ]);
        expectHealthyNextFire(expect, first, next, w1.url);
      }
    });

    it('a 2xx answer with an unknown status value ends the run (the protocol names only succeeded|failed)', async ({
      expect,
    }) => {
      const id = await c.everySecond('answer-unknown-status', {
        target: { group: 'one', path: '/sync-unknown' },
        params: { bad: 1 },
      });
      const [first, next] = await c.firstTwoFires(id, ENDED);
      // §1 leaves this open; the run ends, delivered, and its message says what the worker sent.
      expect(first).toMatchObject({ notifyStatus: 'delivered' });
      expect(first.message).toMatch(/done/);
      expectHealthyNextFire(expect, first, next, w1.url);
    });

    it('a sync answer over maxResponseBytes is recorded failed; one under it but over the output cap is stored truncated', async ({
      expect,
    }) => {
      const huge = await c.everySecond('answer-over-cap', {
        target: { group: 'one', path: '/sync-big' },
        params: { bad: 1, bytes: 200_000 },
      });
      const large = await c.everySecond('answer-large-output', {
        target: { group: 'one', path: '/sync-big' },
        params: { bad: 1, bytes: 20_000 },
      });
      const [[first, next], [firstLarge, nextLarge]] = await Promise.all([
        c.firstTwoFires(huge, ENDED),
        c.firstTwoFires(large, ENDED),
      ]);
      expect(first).toMatchObject({ status: 'failed', notifyStatus: 'delivered', output: null });
      expect(first.message).toMatch(/larger than maxResponseBytes/);
      expect(first.attempts).toEqual([expect.objectContaining({ n: 1, httpStatus: 200, error: null })]);
      expectHealthyNextFire(expect, first, next, w1.url);

      expect(firstLarge).toMatchObject({
        status: 'succeeded',
        notifyStatus: 'delivered',
        truncated: true,
        output: { truncated: true, bytes: expect.any(Number), preview: expect.any(String) },
      });
      expectHealthyNextFire(expect, firstLarge, nextLarge, w1.url);
    });

    // PROTOCOL.md §1: "`firedAt` is when the first attempt was sent; it is the same in every
    // attempt." A group with no member for a while makes the gap from the run's write certain.
    it('firedAt is when the first attempt was sent', async ({ expect }) => {
      const group = await c.api('POST', '/api/v1/worker-groups', { name: 'empty-at-first', members: [] });
      expect(group.status).toBe(201);
      const job = await c.api<{ id: string }>('POST', '/api/v1/jobs', {
        name: 'fired-at',
        schedule: { cron: '0 0 1 1 *' },
        target: { group: 'empty-at-first', path: '/ok' },
        delivery: 'until_delivered',
        deadlineSec: 30,
      });
      const trigger = await c.api<RunBody>('POST', `/api/v1/jobs/${job.body.id}/trigger`, {});
      await sleep(300);
      const put = await c.api('PUT', '/api/v1/worker-groups/empty-at-first', {
        name: 'empty-at-first',
        members: [{ url: w1.url }],
      });
      expect(put.status).toBe(200);
      const run = await waitFor(async () => {
        const r = await c.run(trigger.body.id);
        return ENDED(r) ? r : undefined;
      }, 'the run once a member exists');
      const body = (await received(w1)).find((r) => r.body?.runId === run.id)?.body;
      expect(run).toMatchObject({ status: 'succeeded', notifyStatus: 'delivered' });
      expect(run.attempts).toHaveLength(1);
      expect(body?.firedAt, 'the trigger body').toBe(run.attempts[0]?.sentAt);
      expect(run.firedAt, 'the stored run').toBe(run.attempts[0]?.sentAt);
    });
  });
});

// Covered in conformance/routing.test.ts (both dialects): every routing strategy with one of
// three members down, and until_delivered_if_idle under a race.
