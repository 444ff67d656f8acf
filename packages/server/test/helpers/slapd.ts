/**
 * A real OpenLDAP server for directory-login tests: one private `slapd` per
 * call, on a free loopback port, in its own temp folder, seeded from an LDIF
 * built here. The process is started through `startProgram`, so the
 * afterEach guard (`guardProcesses`) kills and reports one a test leaves
 * running. Needs the Debian packages `slapd` and `ldap-utils`; without them
 * the tests skip loudly, and under CI=true they fail.
 *
 * The directory (suffix dc=example,dc=com):
 *   ou=people     alice, bob, carol (inetOrgPerson; password `<uid>-secret`)
 *   ou=services   cn=jobcenter (the service account)
 *   ou=groups     groupOfNames: jobcenter-admins {carol}, billing-dev {alice, carol},
 *                 billing-ops {alice, bob}, reports-viewers {alice, bob}
 * The `memberof` overlay maintains each user's `memberOf`.
 */

import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestCertificate } from './certificate.js';
import { freePort } from './ports.js';
import { type Started, startProgram } from './processes.js';
import { waitFor } from './wait.js';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const LDAPMODIFY = '/usr/bin/ldapmodify';
const SCHEMA = '/etc/ldap/schema';
const MODULES = '/usr/lib/ldap';

export const BASE_DN = 'dc=example,dc=com';
const ROOT_DN = `cn=admin,${BASE_DN}`;
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const GROUPS_DN = `ou=groups,${BASE_DN}`;
const SERVICE_DN = `cn=jobcenter,ou=services,${BASE_DN}`;

/** The seeded users: uid, display name, mail, phone. Each one's password is `<uid>-secret`. */
export const USERS = [
  { uid: 'alice', cn: 'Alice Liddell', mail: 'alice@example.com', phone: '+1 555 0101' },
  { uid: 'bob', cn: 'Bob Builder', mail: 'bob@example.com', phone: '+1 555 0102' },
  { uid: 'carol', cn: 'Carol Danvers', mail: 'carol@example.com', phone: '+1 555 0103' },
] as const;

/** The seeded groups and their members' uids. */
export const GROUPS: Record<string, string[]> = {
  'jobcenter-admins': ['carol'],
  'billing-dev': ['alice', 'carol'],
  'billing-ops': ['alice', 'bob'],
  'reports-viewers': ['alice', 'bob'],
};

export function passwordOf(uid: string): string {
  return `${uid}-secret`;
}
export function userDn(uid: string): string {
  return `uid=${uid},${PEOPLE_DN}`;
}
export function groupDn(cn: string): string {
  return `cn=${cn},${GROUPS_DN}`;
}

export interface Slapd {
  /** ldap://127.0.0.1:<port> (StartTLS is offered when started with `tls`). */
  url: string;
  port: number;
  /** ldaps://127.0.0.1:<port>, when started with `tls`. */
  ldapsUrl: string | undefined;
  /** PEM file of the self-signed certificate the server presents, when started with `tls`. */
  caFile: string | undefined;
  baseDn: string;
  serviceDn: string;
  servicePassword: string;
  /** Runs `ldapmodify` as the rootdn against the live server (e.g. to remove a member from a group). */
  modify(ldif: string): Promise<void>;
  /** Stops the server and removes its folder; idempotent. */
  stop(): Promise<void>;
}

export interface SlapdOptions {
  /** Also listen on ldaps:// and offer StartTLS, with a fresh self-signed certificate for 127.0.0.1. Default false. */
  tls?: boolean;
}

let checked: boolean | undefined;

/**
 * Whether slapd and ldap-utils are installed. When they are not: under
 * CI=true this throws (the tests must fail), otherwise it warns loudly and
 * answers false (the tests skip).
 */
export function slapdAvailable(): boolean {
  if (checked !== undefined) return checked;
  const missing = [SLAPD, SLAPADD, LDAPMODIFY].filter((path) => !existsSync(path));
  checked = missing.length === 0;
  if (!checked) {
    const message = `OpenLDAP is not installed (missing ${missing.join(', ')}): apt-get install slapd ldap-utils`;
    if (process.env.CI === 'true') throw new Error(`${message} (required under CI=true)`);
    console.warn(`\n!!! SKIPPING directory (LDAP) tests: ${message}\n`);
  }
  return checked;
}

/** `{SSHA}` as slapd stores it: base64(sha1(password ‖ salt) ‖ salt). */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function seedLdif(servicePassword: string): string {
  const entries = [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    `dn: ${PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=services,${BASE_DN}\nobjectClass: organizationalUnit\nou: services`,
    `dn: ${GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: ${SERVICE_DN}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: jobcenter\nuserPassword: ${ssha(servicePassword)}`,
    ...USERS.map((u) =>
      [
        `dn: ${userDn(u.uid)}`,
        'objectClass: inetOrgPerson',
        `uid: ${u.uid}`,
        `cn: ${u.cn}`,
        `sn: ${u.cn.split(' ').at(-1)}`,
        `mail: ${u.mail}`,
        `telephoneNumber: ${u.phone}`,
        `userPassword: ${ssha(passwordOf(u.uid))}`,
      ].join('\n'),
    ),
  ];
  return `${entries.join('\n\n')}\n`;
}

/**
 * Groups are added over LDAP once the server runs, not by slapadd: the
 * memberof overlay only maintains `memberOf` for live writes.
 */
function groupsLdif(): string {
  return Object.entries(GROUPS)
    .map(([cn, members]) =>
      [
        `dn: ${groupDn(cn)}`,
        'changetype: add',
        'objectClass: groupOfNames',
        `cn: ${cn}`,
        ...members.map((uid) => `member: ${userDn(uid)}`),
      ].join('\n'),
    )
    .join('\n\n');
}

function slapdConf(dir: string, rootPassword: string, tls: boolean): string {
  return [
    ...['core', 'cosine', 'inetorgperson'].map((s) => `include ${SCHEMA}/${s}.schema`),
    `modulepath ${MODULES}`,
    'moduleload back_mdb',
    'moduleload memberof',
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    ...(tls
      ? [`TLSCertificateFile ${join(dir, 'cert.pem')}`, `TLSCertificateKeyFile ${join(dir, 'key.pem')}`]
      : []),
    'database mdb',
    `suffix "${BASE_DN}"`,
    `rootdn "${ROOT_DN}"`,
    `rootpw ${rootPassword}`,
    `directory ${join(dir, 'db')}`,
    'maxsize 16777216',
    'overlay memberof',
    // Passwords serve binds only; everything else is readable, anonymously too.
    'access to attrs=userPassword by anonymous auth by self write by * none',
    'access to * by * read',
    '',
  ].join('\n');
}

function ldapmodify(url: string, passwordFile: string, ldif: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      LDAPMODIFY,
      ['-x', '-H', url, '-D', ROOT_DN, '-y', passwordFile],
      { timeout: 10_000 },
      (err, _stdout, stderr) =>
        err ? reject(new Error(`ldapmodify failed: ${err.message}\n${stderr}`)) : resolve(),
    );
    child.stdin?.end(ldif);
  });
}

/** Whether something accepts TCP connections at `url`. */
function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts slapd on a free port; retried on a fresh port when another process took it first. */
async function launch(
  conf: string,
  tls: boolean,
): Promise<{ server: Started; url: string; ldapsUrl: string | undefined }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `ldap://127.0.0.1:${port}`;
    const ldapsUrl = tls ? `ldaps://127.0.0.1:${await freePort()}` : undefined;
    const listen = ldapsUrl ? `${url}/ ${ldapsUrl}/` : `${url}/`;
    let server: Started | undefined;
    try {
      // -d 256 (stats) keeps slapd in the foreground and logs "slapd starting"...
      server = await startProgram(SLAPD, ['-d', '256', '-h', listen, '-f', conf], {}, /slapd starting/, url);
      // ...just before its listeners call listen(): wait until they accept.
      await waitFor(() => accepts(url), `slapd at ${url}`, 10_000, 20);
      return { server, url, ldapsUrl };
    } catch (err) {
      await server?.stop();
      lastError = err;
      if (!/bind\(.*\) failed|Address already in use/i.test(String(err))) break;
    }
  }
  throw lastError;
}

/** Starts a seeded slapd; call `stop()` when done (the afterEach guard kills a forgotten one). */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const tls = options.tls ?? false;
  const dir = mkdtempSync(join(tmpdir(), 'jobcenter-slapd-'));
  const rootPassword = randomBytes(12).toString('hex');
  const servicePassword = randomBytes(12).toString('hex');
  const conf = join(dir, 'slapd.conf');
  const passwordFile = join(dir, 'rootpw');
  let server: Started | undefined;
  const stop = async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync(join(dir, 'db'));
    if (tls) writeTestCertificate(dir);
    writeFileSync(conf, slapdConf(dir, rootPassword, tls));
    // ldapmodify -y sends the file's bytes as they are: no trailing newline.
    writeFileSync(passwordFile, rootPassword, { mode: 0o600 });
    writeFileSync(join(dir, 'seed.ldif'), seedLdif(servicePassword));
    execFileSync(SLAPADD, ['-q', '-f', conf, '-l', join(dir, 'seed.ldif')], { stdio: 'pipe' });
    const started = await launch(conf, tls);
    server = started.server;
    // Also when the afterEach guard kills a slapd a test forgot.
    server.child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await ldapmodify(started.url, passwordFile, groupsLdif());
    return {
      url: started.url,
      port: server.port,
      ldapsUrl: started.ldapsUrl,
      caFile: tls ? join(dir, 'cert.pem') : undefined,
      baseDn: BASE_DN,
      serviceDn: SERVICE_DN,
      servicePassword,
      modify: (ldif) => ldapmodify(started.url, passwordFile, ldif),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
