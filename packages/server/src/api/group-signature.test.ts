import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../dispatcher/signing.js';
import { signatureProblem } from './group-signature.js';

const SECRET = 'a-group-secret-of-some-length';
const NOW = Date.parse('2027-01-01T00:00:00.000Z');
const T = NOW / 1000;
const BODY = Buffer.from('{"url":"http://10.0.0.5:9090","name":"w5"}');

const code = (header: string | string[] | undefined, body = BODY, now = NOW) =>
  signatureProblem(SECRET, header, body, now)?.code ?? 'ok';

describe('group signature check', () => {
  it('accepts the signature a trigger would carry, over the exact bytes', () => {
    expect(code(signatureHeader(SECRET, BODY.toString(), T))).toBe('ok');
    expect(code(signatureHeader(SECRET, '', T), Buffer.alloc(0)), 'empty body').toBe('ok');
    const upper = `t=${T},v1=${createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex').toUpperCase()}`;
    expect(code(upper), 'hex in upper case').toBe('ok');
  });

  it('names what is wrong', () => {
    expect(code(undefined)).toBe('signature_missing');
    expect(code('')).toBe('signature_missing');
    expect(code('v1=abc')).toBe('signature_malformed');
    expect(code(`t=${T},v1=1234`)).toBe('signature_malformed');
    expect(code([signatureHeader(SECRET, BODY.toString(), T)]), 'a repeated header').toBe(
      'signature_malformed',
    );
    expect(code(signatureHeader('another-secret-entirely', BODY.toString(), T))).toBe('signature_mismatch');
    const reformatted = Buffer.from('{"url": "http://10.0.0.5:9090", "name": "w5"}');
    expect(code(signatureHeader(SECRET, BODY.toString(), T), reformatted), 'same JSON, other bytes').toBe(
      'signature_mismatch',
    );
    expect(code(signatureHeader(SECRET, BODY.toString(), T + 1), BODY), 't is signed too').toBe('ok');
  });

  it('accepts t up to 5 minutes off either way, and no more', () => {
    const at = (t: number) => code(signatureHeader(SECRET, BODY.toString(), t));
    expect(at(T - 300)).toBe('ok');
    expect(at(T + 300)).toBe('ok');
    expect(at(T - 301)).toBe('signature_stale');
    expect(at(T + 301)).toBe('signature_stale');
    expect(
      signatureProblem(SECRET, signatureHeader(SECRET, BODY.toString(), T - 400), BODY, NOW)?.message,
    ).toMatch(/400 s behind/);
  });
});
