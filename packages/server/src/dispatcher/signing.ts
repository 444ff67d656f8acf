import { createHmac } from 'node:crypto';

/** The `X-JobCenter-Signature` value: `t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signatureHeader(secret: string, body: string, tSec: number): string {
  const v1 = createHmac('sha256', secret).update(`${tSec}.${body}`).digest('hex');
  return `t=${tSec},v1=${v1}`;
}
