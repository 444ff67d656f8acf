import { createHmac, timingSafeEqual } from 'node:crypto';
import { WorkerHttpError } from './errors.js';

/** Default window, in seconds, within which a signature's `t` must lie from the worker's clock (5 minutes). */
export const DEFAULT_TOLERANCE_SEC = 300;

/** The raw request body as it came off the wire: a `string` is hashed as UTF-8. */
export type RawBody = string | Uint8Array;

/** Why a signature was refused; each is answered `401`. */
export type SignatureErrorCode =
  | 'signature_missing'
  | 'signature_malformed'
  | 'signature_mismatch'
  | 'signature_expired';

/** A trigger or cancel request whose `X-JobCenter-Signature` does not prove it came from our JobCenter. */
export class SignatureError extends WorkerHttpError {
  override readonly name: string = 'SignatureError';
  declare readonly code: SignatureErrorCode;

  constructor(code: SignatureErrorCode, message: string) {
    super(code, message);
  }
}

/** Options of {@link verifySignature}. */
export interface VerifySignatureOptions {
  /** The worker's clock, in milliseconds since the epoch. Default `Date.now()`. */
  nowMs?: number;
  /** How far `t` may be from `nowMs`, in seconds, in either direction. Default 300 (5 minutes). */
  toleranceSec?: number;
}

/**
 * Computes the `X-JobCenter-Signature` header value for `body` signed at
 * `tSec`: `t=<tSec>,v1=<hex HMAC-SHA256(secret, "<tSec>.<body>")>`. Meant for
 * tests and tools that play JobCenter (e.g. a signed `curl`).
 *
 * @param secret the worker group's signing secret
 * @param body the exact bytes to send (`''` for a GET trigger)
 * @param tSec the signing time in Unix seconds; default the current second
 */
export function signPayload(
  secret: string,
  body: RawBody,
  tSec: number = Math.floor(Date.now() / 1000),
): string {
  if (!Number.isSafeInteger(tSec) || tSec < 0) {
    throw new RangeError(`jobcenter-worker: signPayload: tSec must be a non-negative integer, got ${tSec}`);
  }
  return `t=${tSec},v1=${hmacHex(secret, String(tSec), body)}`;
}

/**
 * Checks an `X-JobCenter-Signature` header against the raw body (PROTOCOL.md §1).
 * Every `v1` in the header is compared, in constant time, with the HMAC under
 * every secret given (so a worker can accept both during a secret rotation);
 * then `t` must be within `toleranceSec` of `nowMs`, in the past or the future.
 *
 * @param secret the worker group's signing secret, or several during a rotation
 * @param header the header's value as received (`undefined` when absent)
 * @param rawBody the body exactly as received, before any JSON parsing (`''` for GET)
 * @returns the signing time `t`, in Unix seconds
 * @throws {SignatureError} when the header is missing, malformed, does not match, or is outside the window
 */
export function verifySignature(
  secret: string | readonly string[],
  header: string | readonly string[] | null | undefined,
  rawBody: RawBody,
  options: VerifySignatureOptions = {},
): { timestampSec: number } {
  const { nowMs = Date.now(), toleranceSec = DEFAULT_TOLERANCE_SEC } = options;
  if (!(toleranceSec >= 0)) {
    throw new RangeError(`jobcenter-worker: toleranceSec must be a number >= 0, got ${toleranceSec}`);
  }
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0 || secrets.some((s) => s.length === 0)) {
    throw new TypeError('jobcenter-worker: the signing secret must be a non-empty string');
  }
  const value = Array.isArray(header) ? header.join(',') : header;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SignatureError('signature_missing', 'missing X-JobCenter-Signature header');
  }
  const { t, v1 } = parseSignatureHeader(value);
  const matches = secrets.some((s) => {
    const expected = Buffer.from(hmacHex(s, t, rawBody), 'hex');
    // No early exit inside one secret: the comparison time must not depend on which v1 matched.
    let found = false;
    for (const candidate of v1) {
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) found = true;
    }
    return found;
  });
  if (!matches) {
    throw new SignatureError(
      'signature_mismatch',
      'X-JobCenter-Signature does not match the body: wrong secret, or the body was changed in transit',
    );
  }
  const timestampSec = Number(t);
  const skewMs = nowMs - timestampSec * 1000;
  if (Math.abs(skewMs) > toleranceSec * 1000) {
    const direction = skewMs > 0 ? 'old' : 'in the future';
    throw new SignatureError(
      'signature_expired',
      `signature timestamp is ${Math.round(Math.abs(skewMs) / 1000)} s ${direction}, beyond the ${toleranceSec} s tolerance (check both clocks)`,
    );
  }
  return { timestampSec };
}

function parseSignatureHeader(value: string): { t: string; v1: string[] } {
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(val)) return malformed();
      t = val;
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(val)) return malformed();
      v1.push(val.toLowerCase());
    }
    // Other keys (a future v2, say) are ignored so JobCenter can add schemes.
  }
  if (t === undefined || v1.length === 0) return malformed();
  return { t, v1 };
}

function malformed(): never {
  throw new SignatureError(
    'signature_malformed',
    'X-JobCenter-Signature must look like t=<unix seconds>,v1=<64 hex digits>',
  );
}

function hmacHex(secret: string, t: string, body: RawBody): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${t}.`);
  hmac.update(body);
  return hmac.digest('hex');
}
