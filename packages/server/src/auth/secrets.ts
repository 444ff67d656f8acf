/** Random secrets presented by callers (session cookies, API tokens) and their stored digests. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of API tokens, so a leaked one is recognisable (e.g. by secret scanners). */
export const TOKEN_PREFIX = 'jc_';

/** A new API token: `jc_` and 32 random bytes, base64url. */
export function newApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** A new session cookie value or CSRF token: 32 random bytes, base64url. */
export function newOpaque(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Tokens and session ids are stored as SHA-256 digests: they are long random
 * values, so a fast digest is enough, and a copy of the table grants nothing.
 */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time equality of two strings. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
