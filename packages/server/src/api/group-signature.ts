/**
 * Checks the `X-JobCenter-Signature` of a call signed with a worker group's
 * secret (heartbeats), exactly as workers check triggers (PROTOCOL.md §1):
 * `t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, over the raw
 * bytes as received, with `t` at most 5 minutes from the server's clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors.js';

/** How far `t` may be from the server's clock, either way, seconds. */
export const SIGNATURE_TOLERANCE_SEC = 300;

const HEADER = /^t=(\d{1,12}),\s*v1=([0-9a-fA-F]{64})$/;

/** Null when the signature is good; otherwise the 401 to answer, naming the problem. */
export function signatureProblem(
  secret: string,
  header: string | string[] | undefined,
  rawBody: Buffer,
  nowMs: number,
): ApiError | null {
  if (header === undefined || header === '') {
    return new ApiError(
      'signature_missing',
      'send X-JobCenter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(group secret, "<t>.<raw body>")>',
    );
  }
  const match = typeof header === 'string' ? HEADER.exec(header.trim()) : null;
  if (!match?.[1] || !match[2]) {
    return new ApiError(
      'signature_malformed',
      'X-JobCenter-Signature must be one header reading t=<unix seconds>,v1=<64 hex digits>',
    );
  }
  const t = match[1];
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(match[2], 'hex'))) {
    return new ApiError(
      'signature_mismatch',
      'X-JobCenter-Signature does not match: sign "<t>.<raw body>" (the exact bytes sent) with the group secret, HMAC-SHA256, hex',
    );
  }
  const offSec = nowMs / 1000 - Number(t);
  if (Math.abs(offSec) > SIGNATURE_TOLERANCE_SEC) {
    return new ApiError(
      'signature_stale',
      `X-JobCenter-Signature t=${t} is ${Math.round(Math.abs(offSec))} s ${offSec > 0 ? 'behind' : 'ahead of'} the server's clock; at most ${SIGNATURE_TOLERANCE_SEC} s are accepted: sign with the current time`,
    );
  }
  return null;
}
