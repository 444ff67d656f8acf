/**
 * Password hashing with scrypt (memory-hard, from node:crypto). A stored
 * hash reads `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`, so the cost
 * can rise later without invalidating older hashes.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** N = 2^15, r = 8: 32 MiB and about 50–100 ms per hash on a small server. */
const COST = { log2N: 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
/** Shortest password accepted for local users. */
export const MIN_PASSWORD_LENGTH = 10;

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST.log2N, COST.r, COST.p);
  return ['scrypt', COST.log2N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether `password` matches `stored`; false for a malformed hash. Constant time in the hash bytes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2N, r, p].every((n) => Number.isInteger(n) && n > 0) || log2N > 20) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  const key = await derive(password, salt, log2N, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends the time of one verification when there is no hash to check
 * (unknown user), so response times do not tell which user names exist.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('jobcenter-no-such-user');
  await verifyPassword(password, await dummyHash);
  return false;
}

/** Why a new local password is refused, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `password: must be at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (password.length > 1024) return 'password: must be at most 1024 characters';
  return null;
}
