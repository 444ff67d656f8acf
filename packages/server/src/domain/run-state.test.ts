import { describe, expect, it } from 'vitest';
import { decideProgress, decideResult } from './callback-rules.js';
import { isOpen, NOTIFY_STATUSES, OPEN_STATUSES, RUN_STATUSES, type RunStatus } from './run.js';
import {
  acceptsDeliveryOutcome,
  acceptsProgress,
  canFlagTimedOut,
  canMove,
  canMoveNotify,
  INITIAL_NOTIFY_STATUSES,
  INITIAL_STATUSES,
  isConsistent,
  isFinal,
  nextOnResult,
  PROTOCOL_OUTCOMES,
  STATE_PAIRS,
} from './run-state.js';

/** PROTOCOL.md §3, written out again by hand: every allowed move, nothing else. */
const ALLOWED = new Set([
  'pending→running',
  'pending→succeeded',
  'pending→failed',
  'pending→lost',
  'pending→cancelled',
  'pending→skipped',
  'running→succeeded',
  'running→failed',
  'running→lost',
  'running→cancelled',
]);
const ALLOWED_NOTIFY = new Set(['pending→delivered', 'pending→failed', 'pending→skipped']);

const statusPairs = RUN_STATUSES.flatMap((from) => RUN_STATUSES.map((to) => [from, to] as const));
const notifyPairs = NOTIFY_STATUSES.flatMap((from) => NOTIFY_STATUSES.map((to) => [from, to] as const));

/** Statuses reachable from the initial ones by allowed moves. */
function reachable<T extends string>(
  initial: readonly T[],
  all: readonly T[],
  move: (a: T, b: T) => boolean,
) {
  const seen = new Set<T>(initial);
  let grew = true;
  while (grew) {
    grew = false;
    for (const from of [...seen])
      for (const to of all)
        if (!seen.has(to) && move(from, to)) {
          seen.add(to);
          grew = true;
        }
  }
  return seen;
}

describe('run state machine (PROTOCOL.md §3)', () => {
  it.each(statusPairs)('status %s → %s', (from, to) => {
    expect(canMove(from, to)).toBe(ALLOWED.has(`${from}→${to}`));
  });

  it.each(notifyPairs)('notifyStatus %s → %s', (from, to) => {
    expect(canMoveNotify(from, to)).toBe(ALLOWED_NOTIFY.has(`${from}→${to}`));
  });

  it('finished statuses never move; the open ones are those of domain/run.ts', () => {
    const final = RUN_STATUSES.filter(isFinal);
    expect(final.sort()).toEqual(['cancelled', 'failed', 'lost', 'missed', 'skipped', 'succeeded']);
    expect(RUN_STATUSES.filter((s) => !isFinal(s))).toEqual([...OPEN_STATUSES]);
    for (const s of RUN_STATUSES) expect(isOpen(s), s).toBe(!isFinal(s));
    for (const s of RUN_STATUSES) expect(canMove(s, s), `${s} to itself is not a move`).toBe(false);
  });

  it('nothing moves back to pending, and missed is only ever written, never reached', () => {
    for (const s of RUN_STATUSES) expect(canMove(s, 'pending')).toBe(false);
    for (const s of RUN_STATUSES) expect(canMove(s, 'missed')).toBe(false);
    expect(INITIAL_STATUSES).toEqual(['pending', 'missed', 'skipped']);
    expect(INITIAL_NOTIFY_STATUSES).toEqual(['pending', 'skipped']);
  });

  it('every status and every notifyStatus is reachable from a row as written', () => {
    expect(reachable(INITIAL_STATUSES, RUN_STATUSES, canMove)).toEqual(new Set(RUN_STATUSES));
    expect(reachable(INITIAL_NOTIFY_STATUSES, NOTIFY_STATUSES, canMoveNotify)).toEqual(
      new Set(NOTIFY_STATUSES),
    );
  });

  it('every line of the §3 table is a consistent (status, notifyStatus) pair', () => {
    for (const row of PROTOCOL_OUTCOMES) {
      if (row.notifyStatus === null) {
        expect(
          STATE_PAIRS.some((p) => p.status === row.status),
          row.what,
        ).toBe(true);
      } else {
        expect(isConsistent(row.status, row.notifyStatus), row.what).toBe(true);
      }
    }
    for (const pair of STATE_PAIRS) {
      const line = PROTOCOL_OUTCOMES.find(
        (r) => r.status === pair.status && (r.notifyStatus === null || r.notifyStatus === pair.notifyStatus),
      );
      // pending/pending is the state before any line of the table applies.
      if (pair.status !== 'pending') expect(line, JSON.stringify(pair)).toBeDefined();
    }
  });

  it.each(STATE_PAIRS)(
    'a run written or moved into $status/$notifyStatus got there by allowed moves',
    (pair) => {
      const statusOk =
        INITIAL_STATUSES.includes(pair.status) || INITIAL_STATUSES.some((s) => canMove(s, pair.status));
      const notifyOk =
        INITIAL_NOTIFY_STATUSES.includes(pair.notifyStatus) ||
        INITIAL_NOTIFY_STATUSES.some((n) => canMoveNotify(n, pair.notifyStatus));
      expect(statusOk && notifyOk).toBe(true);
    },
  );

  it('only a pending run whose notification is undecided takes a trigger answer', () => {
    for (const s of RUN_STATUSES)
      for (const n of NOTIFY_STATUSES)
        expect(acceptsDeliveryOutcome(s, n), `${s}/${n}`).toBe(s === 'pending' && n === 'pending');
  });

  it('progress and the timeout flag only while the run is open', () => {
    for (const s of RUN_STATUSES) {
      expect(acceptsProgress(s), s).toBe(s === 'pending' || s === 'running');
      expect(canFlagTimedOut(s), s).toBe(s === 'pending' || s === 'running');
      expect(decideProgress(s), `callback-rules agrees on ${s}`).toBe(
        acceptsProgress(s) ? 'accept' : 'ended',
      );
    }
  });
});

describe('a result per status (PROTOCOL.md §2)', () => {
  const expected: Record<RunStatus, string> = {
    pending: 'finish',
    running: 'finish',
    succeeded: 'compare',
    failed: 'compare',
    lost: 'late',
    cancelled: 'late',
    missed: 'refuse',
    skipped: 'refuse',
  };

  it.each(RUN_STATUSES.flatMap((s) => (['succeeded', 'failed'] as const).map((r) => [s, r] as const)))(
    'a %s run given a %s result',
    (status, result) => {
      const effect = nextOnResult(status, result);
      expect(effect.kind).toBe(expected[status]);
      if (effect.kind === 'finish') {
        expect(effect).toEqual({ kind: 'finish', status: result, notifyStatus: 'delivered' });
        expect(canMove(status, result), 'a finishing result is an allowed move').toBe(true);
        expect(status === 'pending' ? canMoveNotify('pending', 'delivered') : true).toBe(true);
      } else {
        expect(isFinal(status), 'only finished runs keep their status').toBe(true);
      }
    },
  );

  it.each(RUN_STATUSES)('callback-rules decides the same for a %s run', (status) => {
    const stored = { status, message: 'm', outputJson: '{"a":1}', hasLateResult: false };
    const same = decideResult(stored, { status: 'succeeded', message: 'm', output: { a: 1 } }, '{"a":1}');
    const other = decideResult(stored, { status: 'failed', message: 'x', output: null }, null);
    const kind = nextOnResult(status, 'succeeded').kind;
    const map: Record<string, string[]> = {
      finish: ['accept'],
      compare: ['duplicate', 'conflict'],
      late: ['late'],
      refuse: ['never_sent'],
    };
    expect(map[kind]).toContain(same);
    expect(map[kind]).toContain(other);
    if (kind === 'compare') {
      // Identical to what is stored: a duplicate only for the run that succeeded with it.
      expect(same).toBe(status === 'succeeded' ? 'duplicate' : 'conflict');
      expect(other).toBe('conflict');
    }
  });
});
