import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignatureError, signPayload, verifySignature } from '../src/index.js';
import { NOW_MS, NOW_SEC, SECRET, sign } from './helpers.js';

const body = JSON.stringify({ runId: '01RUN', params: { note: 'café ☕' } });

function rejection(run: () => unknown): SignatureError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    return error as SignatureError;
  }
  throw new Error('expected a SignatureError');
}

describe('verifySignature', () => {
  it('accepts a header signed with node:crypto and returns t', () => {
    expect(verifySignature(SECRET, sign(SECRET, NOW_SEC, body), body, { nowMs: NOW_MS })).toEqual({
      timestampSec: NOW_SEC,
    });
  });

  it('hashes a Buffer body and the same string alike', () => {
    const header = sign(SECRET, NOW_SEC, body);
    expect(() => verifySignature(SECRET, header, Buffer.from(body), { nowMs: NOW_MS })).not.toThrow();
  });

  it('signs an empty body for GET triggers', () => {
    expect(() => verifySignature(SECRET, sign(SECRET, NOW_SEC, ''), '', { nowMs: NOW_MS })).not.toThrow();
  });

  it('rejects a tampered body, a wrong secret, and a missing header', () => {
    const header = sign(SECRET, NOW_SEC, body);
    expect(rejection(() => verifySignature(SECRET, header, `${body} `, { nowMs: NOW_MS })).code).toBe(
      'signature_mismatch',
    );
    expect(rejection(() => verifySignature('other', header, body, { nowMs: NOW_MS })).code).toBe(
      'signature_mismatch',
    );
    expect(rejection(() => verifySignature(SECRET, undefined, body, { nowMs: NOW_MS })).code).toBe(
      'signature_missing',
    );
    expect(rejection(() => verifySignature(SECRET, '  ', body, { nowMs: NOW_MS })).status).toBe(401);
  });

  it('rejects a signature whose t was replaced (t is inside the MAC)', () => {
    const v1 = sign(SECRET, NOW_SEC - 1000, body).split(',')[1];
    expect(rejection(() => verifySignature(SECRET, `t=${NOW_SEC},${v1}`, body, { nowMs: NOW_MS })).code).toBe(
      'signature_mismatch',
    );
  });

  it('allows exactly the tolerance either way and rejects one second beyond', () => {
    for (const offset of [-300, 300]) {
      expect(() =>
        verifySignature(SECRET, sign(SECRET, NOW_SEC + offset, body), body, { nowMs: NOW_MS }),
      ).not.toThrow();
    }
    for (const offset of [-301, 301]) {
      const error = rejection(() =>
        verifySignature(SECRET, sign(SECRET, NOW_SEC + offset, body), body, { nowMs: NOW_MS }),
      );
      expect(error.code).toBe('signature_expired');
    }
  });

  it('honours a custom toleranceSec', () => {
    const header = sign(SECRET, NOW_SEC - 31, body);
    expect(
      rejection(() => verifySignature(SECRET, header, body, { nowMs: NOW_MS, toleranceSec: 30 })).message,
    ).toMatch(/31 s old, beyond the 30 s tolerance/);
  });

  it('accepts any of several secrets (rotation) and any of several v1 values', () => {
    const header = sign('new-secret', NOW_SEC, body);
    expect(() =>
      verifySignature(['old-secret', 'new-secret'], header, body, { nowMs: NOW_MS }),
    ).not.toThrow();
    const v1Old = sign('old-secret', NOW_SEC, body).split(',')[1];
    const v1New = header.split(',')[1];
    expect(() =>
      verifySignature('new-secret', `t=${NOW_SEC}, ${v1Old}, ${v1New}`, body, { nowMs: NOW_MS }),
    ).not.toThrow();
  });

  it('rejects malformed headers', () => {
    const v1 = sign(SECRET, NOW_SEC, body).split(',')[1];
    for (const header of [
      'garbage',
      `t=abc,${v1}`,
      `t=${NOW_SEC}`,
      `t=${NOW_SEC},v1=abcd`,
      `t=1,t=2,${v1}`,
    ]) {
      expect(rejection(() => verifySignature(SECRET, header, body, { nowMs: NOW_MS })).code).toBe(
        'signature_malformed',
      );
    }
  });
});

describe('signPayload', () => {
  it('produces the same header as HMAC-SHA256 over "<t>.<body>" computed directly', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW_SEC}.${body}`).digest('hex');
    expect(signPayload(SECRET, body, NOW_SEC)).toBe(`t=${NOW_SEC},v1=${expected}`);
    expect(signPayload(SECRET, Buffer.from(body), NOW_SEC)).toBe(`t=${NOW_SEC},v1=${expected}`);
  });

  it('round-trips through verifySignature', () => {
    expect(
      verifySignature(SECRET, signPayload(SECRET, body, NOW_SEC), body, { nowMs: NOW_MS }).timestampSec,
    ).toBe(NOW_SEC);
  });
});
