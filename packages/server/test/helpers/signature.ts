import { createHmac, timingSafeEqual } from 'node:crypto';

/** Checks an X-JobCenter-Signature header independently of the server's own signer. */
export function validSignature(secret: string, header: string | undefined, raw: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2] as string, 'hex'));
}
