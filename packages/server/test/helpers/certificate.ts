/** A self-signed certificate for 127.0.0.1 (EC P-256, 2 days), for the TLS tests of SMTP and LDAP. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const OPENSSL = '/usr/bin/openssl';

/** Writes `key.pem` and `cert.pem` into `dir` with openssl. */
export function writeTestCertificate(dir: string): void {
  if (!existsSync(OPENSSL)) throw new Error('the TLS tests need openssl: apt-get install openssl');
  execFileSync(
    OPENSSL,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
}
