/**
 * The store's guarded UPDATEs against the pure run state machine
 * (src/domain/run-state.ts), on both dialects: every store operation that
 * moves a run is applied to one run in each (status, notifyStatus) pair a
 * run can be in, and the pairs it moved — and where to — must be exactly
 * what the state machine allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_LIMITS } from '../src/domain/callback-rules.js';
import type { Job } from '../src/domain/job.js';
import type { NotifyStatus, Run, RunStatus } from '../src/domain/run.js';
import {
  acceptsDeliveryOutcome,
  acceptsProgress,
  canFlagTimedOut,
  canMove,
  canMoveNotify,
  isConsistent,
  isFinal,
  nextOnResult,
  STATE_PAIRS,
} from '../src/domain/run-state.js';
import { newId } from '../src/ids.js';
import type { DeliveryOutcome, NewRun } from '../src/store/runs-repo.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/databases.js';
import { testJob } from './helpers/jobs.js';

const DIALECTS = await dialects();
const T0 = Date.parse('2027-03-01T00:00:00.000Z');
/** Far enough that no sweep in these tests reaches it. */
const FAR = T0 + 86_400_000;
/** When the sweeps run; the limits of the rows they target are before it. */
const SWEEP_AT = T0 + 1_000;

type Pair = { status: RunStatus; notifyStatus: NotifyStatus };
type Moved = { from: Pair; before: Run; after: Run; answer: unknown };

const key = (p: Pair) => `${p.status}/${p.notifyStatus}`;
const keys = (pairs: Pair[]) => pairs.map(key).sort();

describe.each(DIALECTS)('the store follows the run state machine, on %s', (dialect) => {
  let db: TestDatabase;
  let store: Store;
  let job: Job;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      reportLimits: DEFAULT_REPORT_LIMITS,
    });
    job = testJob('state-machine', T0);
    await store.jobs.insert(job);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  /** One run per pair, with the given limits; answers each with its row as stored. */
  async function runsInEveryPair(limits: { timeoutAt?: number; deadlineAt?: number } = {}) {
    const rows: NewRun[] = STATE_PAIRS.map((pair) => ({
      id: newId(T0),
      jobId: job.id,
      job: job.name,
      trigger: 'manual',
      scheduledAt: T0,
      firedAt: T0,
      status: pair.status,
      notifyStatus: pair.notifyStatus,
      params: {},
      timeoutAt: limits.timeoutAt ?? null,
      deadlineAt: limits.deadlineAt ?? FAR,
      message: null,
      output: null,
      retryOf: null,
      createdAt: T0,
      retriesLeft: 0,
      heartbeatMs: null,
      skipIfBusy: false,
    }));
    await store.runs.insertRuns(rows);
    return Promise.all(
      rows.map(async (row, i) => ({
        pair: STATE_PAIRS[i] as Pair,
        before: (await store.runs.find(row.id)) as Run,
      })),
    );
  }

  /** Applies `op` to one run per pair and answers what happened to each. */
  async function applyToEveryPair(
    op: (runId: string) => Promise<unknown>,
    limits: { timeoutAt?: number; deadlineAt?: number } = {},
    sweep?: () => Promise<unknown>,
  ): Promise<Moved[]> {
    const runs = await runsInEveryPair(limits);
    const answers = await Promise.all(runs.map((r) => op(r.before.id)));
    if (sweep) await sweep();
    return Promise.all(
      runs.map(async (r, i) => ({
        from: r.pair,
        before: r.before,
        after: (await store.runs.find(r.before.id)) as Run,
        answer: answers[i],
      })),
    );
  }

  const changed = (moved: Moved[]) =>
    moved.filter((m) => m.after.status !== m.from.status || m.after.notifyStatus !== m.from.notifyStatus);

  /** Whatever the operation, a run moves only along allowed moves into a consistent pair. */
  function expectOnlyAllowedMoves(moved: Moved[]) {
    for (const m of changed(moved)) {
      const to = `${m.after.status}/${m.after.notifyStatus}`;
      if (m.after.status !== m.from.status)
        expect(canMove(m.from.status, m.after.status), `${key(m.from)} → ${to}`).toBe(true);
      if (m.after.notifyStatus !== m.from.notifyStatus)
        expect(canMoveNotify(m.from.notifyStatus, m.after.notifyStatus), `${key(m.from)} → ${to}`).toBe(true);
      expect(isConsistent(m.after.status, m.after.notifyStatus), `${key(m.from)} → ${to}`).toBe(true);
    }
  }

  it('a result: the statuses from which the store accepts one are the state machine’s; late ones are kept apart', async () => {
    const moved = await applyToEveryPair((id) =>
      store.reports.recordResult(id, { status: 'failed', message: 'r', output: null }, T0 + 10),
    );
    expectOnlyAllowedMoves(moved);
    const accepted = moved.filter((m) => m.after.status !== m.from.status).map((m) => m.from);
    expect(keys(accepted)).toEqual(
      keys(STATE_PAIRS.filter((p) => nextOnResult(p.status, 'failed').kind === 'finish')),
    );
    for (const m of moved) {
      const effect = nextOnResult(m.from.status, 'failed', m.from.notifyStatus);
      if (effect.kind === 'finish') {
        expect(m.after, key(m.from)).toMatchObject({
          status: effect.status,
          notifyStatus: effect.notifyStatus,
        });
        expect(m.answer).toBe('accept');
      }
      expect(m.after.lateResult !== null, `lateResult of ${key(m.from)}`).toBe(effect.kind === 'late');
      if (effect.kind === 'late') expect(m.answer).toBe('late');
      if (effect.kind === 'refuse') expect(m.answer).toBe('never_sent');
      if (effect.kind === 'compare') expect(['duplicate', 'conflict']).toContain(m.answer);
    }
  });

  it('progress: taken exactly where the state machine takes it, moving a pending run to running/delivered', async () => {
    const moved = await applyToEveryPair((id) => store.reports.recordProgress(id, { progress: 5 }, T0 + 10));
    expectOnlyAllowedMoves(moved);
    expect(keys(moved.filter((m) => m.answer === 'ok').map((m) => m.from))).toEqual(
      keys(STATE_PAIRS.filter((p) => acceptsProgress(p.status))),
    );
    for (const m of moved.filter((x) => x.answer === 'ok'))
      expect(m.after, key(m.from)).toMatchObject({
        status: 'running',
        notifyStatus: 'delivered',
        progress: 5,
      });
  });

  it('the deadline sweep: delivered open runs become lost, undelivered ones failed/failed, nothing else moves', async () => {
    const moved = await applyToEveryPair(
      async () => undefined,
      { deadlineAt: T0 + 100 },
      () => store.limits.endPastDeadline(SWEEP_AT),
    );
    expectOnlyAllowedMoves(moved);
    const lost = changed(moved).filter((m) => m.after.status === 'lost');
    const undelivered = changed(moved).filter((m) => m.after.status === 'failed');
    expect(keys(lost.map((m) => m.from))).toEqual(
      keys(STATE_PAIRS.filter((p) => canMove(p.status, 'lost') && p.notifyStatus === 'delivered')),
    );
    expect(keys(undelivered.map((m) => m.from))).toEqual(
      keys(STATE_PAIRS.filter((p) => acceptsDeliveryOutcome(p.status, p.notifyStatus))),
    );
    for (const m of undelivered) expect(m.after.notifyStatus).toBe('failed');
    expect(changed(moved)).toHaveLength(lost.length + undelivered.length);
  });

  it('the timeout sweep flags exactly the runs the state machine lets it flag, and moves none', async () => {
    const moved = await applyToEveryPair(
      async () => undefined,
      { timeoutAt: T0 + 100 },
      () => store.limits.markTimedOut(SWEEP_AT),
    );
    expect(changed(moved)).toEqual([]);
    expect(keys(moved.filter((m) => m.after.timedOut).map((m) => m.from))).toEqual(
      keys(STATE_PAIRS.filter((p) => canFlagTimedOut(p.status))),
    );
  });

  const outcomes: [string, (at: number) => DeliveryOutcome][] = [
    ['accepted (202)', (at) => ({ kind: 'accepted', member: 'http://m', at })],
    [
      'finished (sync result)',
      (at) => ({
        kind: 'finished',
        member: 'http://m',
        at,
        status: 'succeeded',
        message: null,
        outputJson: null,
        truncated: false,
      }),
    ],
    ['retry later', (at) => ({ kind: 'retry_later', nextAttemptAt: at + 1_000 })],
    ['undelivered', (at) => ({ kind: 'undelivered', at, message: 'not delivered' })],
  ];

  it.each(outcomes)(
    'a trigger answer (%s) changes only the runs the state machine lets it',
    async (_, outcome) => {
      let n = 0;
      const moved = await applyToEveryPair((runId) =>
        store.runs.recordDeliveries([
          {
            runId,
            attempt: {
              n: 1,
              member: 'http://m',
              sentAt: T0 + ++n,
              httpStatus: 200,
              error: null,
              latencyMs: 1,
            },
            outcome: outcome(T0 + 10),
          },
        ]),
      );
      expectOnlyAllowedMoves(moved);
      const moving = STATE_PAIRS.filter((p) => acceptsDeliveryOutcome(p.status, p.notifyStatus));
      // retry_later leaves the pair as it is; the others move exactly the runs that take an answer.
      const expected = outcome(0).kind === 'retry_later' ? [] : keys(moving);
      expect(keys(changed(moved).map((m) => m.from))).toEqual(expected);
      for (const m of moved)
        expect(await store.runs.attempts(m.before.id), 'every attempt is recorded').toHaveLength(1);
    },
  );

  it('cancel: ends exactly the runs that can still move, along allowed moves', async () => {
    const moved = await applyToEveryPair((id) => store.runs.cancel(id, T0 + 10, 'cancelled by a test'));
    expectOnlyAllowedMoves(moved);
    expect(keys(changed(moved).map((m) => m.from))).toEqual(
      keys(STATE_PAIRS.filter((p) => canMove(p.status, 'cancelled'))),
    );
    for (const m of changed(moved)) expect(m.after.status).toBe('cancelled');
    for (const m of moved.filter((x) => isFinal(x.from.status))) expect(m.answer).toBe('finished');
  });

  it('failing a run without an attempt (no member) changes only the runs the state machine lets it', async () => {
    const moved = await applyToEveryPair((id) => store.runs.failUndelivered(id, T0 + 10, 'not delivered'));
    expectOnlyAllowedMoves(moved);
    expect(keys(changed(moved).map((m) => m.from))).toEqual(
      keys(STATE_PAIRS.filter((p) => acceptsDeliveryOutcome(p.status, p.notifyStatus))),
    );
  });
});
