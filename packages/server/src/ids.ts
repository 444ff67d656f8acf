import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** A new ULID: 26 upper-case characters, sortable by creation time. */
export function newId(nowMs: number = Date.now()): string {
  return nextUlid(nowMs);
}

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` looks like an id rather than a (lower-case) name. */
export function isId(value: string): boolean {
  return ULID_PATTERN.test(value);
}

/** A signing secret for a worker group or a job: 32 random bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Run tokens are derived, not stored: HMAC(server key, run id [+ shard]).
 * A token is therefore valid for its own run only, and the hot path writes
 * nothing for it.
 */
export function runToken(serverKey: Buffer, runId: string, shard?: number): string {
  const subject = shard === undefined ? runId : `${runId}/${shard}`;
  return createHmac('sha256', serverKey).update(subject).digest('base64url');
}

/** Constant-time check of a run token. */
export function checkRunToken(serverKey: Buffer, runId: string, token: string, shard?: number): boolean {
  const expected = Buffer.from(runToken(serverKey, runId, shard));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
