import { describe, expect, it } from 'vitest';
import { readAnswer, syncResult } from './answer.js';

const ok = (status: number, body = '', truncated = false) => ({
  ok: true as const,
  status,
  body,
  truncated,
  contentType: 'application/json',
  latencyMs: 1,
});

describe('worker answers', () => {
  it('202 is accepted (async)', () => expect(readAnswer(ok(202))).toEqual({ kind: 'accepted' }));
  it('409 is busy: a failed attempt', () =>
    expect(readAnswer(ok(409))).toEqual({ kind: 'failed', error: 'member busy (409)' }));
  it('other statuses and transport errors are failed attempts', () => {
    expect(readAnswer(ok(500, 'oops'))).toEqual({ kind: 'failed', error: 'HTTP 500: oops' });
    expect(readAnswer(ok(302))).toMatchObject({ kind: 'failed' });
    expect(readAnswer({ ok: false, error: 'ECONNREFUSED', latencyMs: 1 })).toEqual({
      kind: 'failed',
      error: 'ECONNREFUSED',
    });
  });
  it('2xx is a sync result', () => {
    expect(readAnswer(ok(200, '{"status":"failed","message":"no"}'))).toEqual({
      kind: 'finished',
      result: { status: 'failed', message: 'no', output: null },
    });
    expect(readAnswer(ok(204))).toEqual({
      kind: 'finished',
      result: { status: 'succeeded', message: null, output: null },
    });
  });
  it('no JSON or no status means succeeded; output is kept', () => {
    expect(syncResult('plain text')).toEqual({ status: 'succeeded', message: null, output: null });
    expect(syncResult('{"output":{"n":1}}')).toEqual({
      status: 'succeeded',
      message: null,
      output: { n: 1 },
    });
    expect(syncResult('[1,2]')).toEqual({ status: 'succeeded', message: null, output: null });
  });
  it('a sync answer too large to read is a failure saying so', () => {
    expect(readAnswer(ok(200, '{"status":"succeeded","output":"…', true))).toMatchObject({
      kind: 'finished',
      result: { status: 'failed', message: expect.stringMatching(/larger than maxResponseBytes/) },
    });
  });

  it('only 200, 201 and 204 are sync answers', () => {
    expect(readAnswer(ok(203))).toMatchObject({ kind: 'failed', error: 'HTTP 203' });
    expect(readAnswer(ok(201))).toMatchObject({ kind: 'finished' });
  });

  it('an unknown status is a failure that names it', () => {
    expect(syncResult('{"status":"ok"}')).toMatchObject({
      status: 'failed',
      message: 'worker answered an unknown status "ok"',
    });
  });
});
