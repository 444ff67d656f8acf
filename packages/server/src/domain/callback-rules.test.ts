import { describe, expect, it } from 'vitest';
import {
  capLog,
  capMessage,
  capOutput,
  DEFAULT_REPORT_LIMITS,
  decideProgress,
  decideResult,
} from './callback-rules.js';
import type { RunStatus } from './run.js';

const stored = (status: RunStatus, message: string | null = 'ok', outputJson: string | null = '{"a":1}') => ({
  status,
  message,
  outputJson,
  hasLateResult: false,
});
const result = { status: 'succeeded' as const, message: 'ok', output: { a: 1 } };

describe('result rules', () => {
  it('an open run takes the first result', () => {
    expect(decideResult(stored('pending'), result, '{"a":1}')).toBe('accept');
    expect(decideResult(stored('running'), result, '{"a":1}')).toBe('accept');
  });
  it('the same result again is a duplicate; any difference a conflict', () => {
    expect(decideResult(stored('succeeded'), result, '{"a":1}')).toBe('duplicate');
    expect(decideResult(stored('succeeded'), result, '{"a":2}')).toBe('conflict');
    expect(decideResult(stored('succeeded', 'other'), result, '{"a":1}')).toBe('conflict');
    expect(decideResult(stored('failed'), result, '{"a":1}')).toBe('conflict');
  });
  it('lost and cancelled runs keep a late result; never-sent runs refuse it', () => {
    expect(decideResult(stored('lost'), result, null)).toBe('late');
    expect(decideResult(stored('cancelled'), result, null)).toBe('late');
    expect(decideResult(stored('missed'), result, null)).toBe('never_sent');
    expect(decideResult(stored('skipped'), result, null)).toBe('never_sent');
  });
  it('a run given up as not delivered keeps a result that comes anyway as a late one', () => {
    expect(decideResult({ ...stored('failed'), notifyStatus: 'failed' }, result, null)).toBe('late');
    expect(decideResult({ ...stored('failed'), notifyStatus: 'delivered' }, result, null)).toBe('conflict');
  });
  it('progress only while the run is open', () => {
    expect(decideProgress('running')).toBe('accept');
    expect(decideProgress('pending')).toBe('accept');
    expect(decideProgress('succeeded')).toBe('ended');
    expect(decideProgress('lost')).toBe('ended');
  });
});

describe('caps', () => {
  const limits = { ...DEFAULT_REPORT_LIMITS, maxMessageChars: 5, maxOutputBytes: 20, maxLogBytes: 12 };
  it('cuts long messages and marks them', () => {
    expect(capMessage('hello', limits)).toEqual({ value: 'hello', cut: false });
    expect(capMessage('hello world', limits)).toEqual({ value: 'hello…[truncated]', cut: true });
    expect(capMessage(undefined, limits)).toEqual({ value: null, cut: false });
  });
  it('replaces oversized output by a preview', () => {
    expect(capOutput({ a: 1 }, limits)).toEqual({ json: '{"a":1}', cut: false });
    const big = capOutput({ text: 'x'.repeat(100) }, limits);
    expect(big.cut).toBe(true);
    expect(JSON.parse(big.json as string)).toMatchObject({ truncated: true, bytes: 111 });
  });
  it('keeps log lines within the per-run budget across calls', () => {
    const first = capLog(['abcde', 'fghij'], 0, limits);
    expect(first).toEqual({ lines: ['abcde', 'fghij'], bytes: 12, cut: false });
    const second = capLog(['k'], first.bytes, limits);
    expect(second).toEqual({ lines: ['…[truncated]'], bytes: 13, cut: true });
    expect(capLog(['z'], second.bytes, limits).lines, 'the mark is written once').toEqual([]);
  });
});
