/**
 * Directory login against a real OpenLDAP server (test/helpers/slapd.ts):
 * users found by the service account, passwords checked by a bind, groups
 * read both ways (group search and the memberof overlay's `memberOf`), and
 * each failure reported with the right kind.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Directory, DirectoryError, escapeFilterValue } from '../src/auth/directory.js';
import { type DirectoryConfig, parseDirectoryConfig } from '../src/auth/directory-config.js';
import { guardProcesses } from './helpers/guard.js';
import {
  GROUPS_DN,
  groupDn,
  PEOPLE_DN,
  passwordOf,
  type Slapd,
  slapdAvailable,
  startSlapd,
  userDn,
} from './helpers/slapd.js';

guardProcesses();

const MAPPINGS = [
  { group: groupDn('jobcenter-admins'), admin: true },
  { group: groupDn('billing-dev'), team: 'billing', role: 'editor' },
  { group: groupDn('billing-ops'), team: 'billing', role: 'operator' },
  // Written the way an operator might: other case, spaces after the commas.
  { group: `CN=Reports-Viewers, OU=Groups, DC=Example, DC=Com`, team: 'reports', role: 'viewer' },
];

function configFor(slapd: Slapd, overrides: Record<string, unknown> = {}): DirectoryConfig {
  return parseDirectoryConfig(
    {
      url: slapd.url,
      bindDn: slapd.serviceDn,
      bindPassword: slapd.servicePassword,
      userBase: PEOPLE_DN,
      groupBase: GROUPS_DN,
      groups: MAPPINGS,
      ...overrides,
    },
    'test',
  );
}

/** The DirectoryError `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<DirectoryError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DirectoryError);
  return err as DirectoryError;
}

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes the five characters a filter value may not hold literally', () => {
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue('(')).toBe('\\28');
    expect(escapeFilterValue(')')).toBe('\\29');
    expect(escapeFilterValue('\\')).toBe('\\5c');
    expect(escapeFilterValue('\0')).toBe('\\00');
    expect(escapeFilterValue('alice)(uid=*')).toBe('alice\\29\\28uid=\\2a');
    expect(escapeFilterValue('Zoë O’Brien')).toBe('Zoë O’Brien');
  });
});

describe.skipIf(!slapdAvailable())('Directory against slapd', () => {
  let slapd: Slapd;
  // Registered after the guard, so it runs before it: a stopped slapd is not a leak.
  beforeEach(async () => {
    slapd = await startSlapd();
  });
  afterEach(async () => {
    await slapd.stop();
  });

  it('logs a user in with their attributes, groups and mapped grant (group search)', async () => {
    const directory = new Directory(configFor(slapd));
    const user = await directory.authenticate('alice', passwordOf('alice'));
    expect(user).toEqual({
      dn: userDn('alice'),
      name: 'alice',
      displayName: 'Alice Liddell',
      email: 'alice@example.com',
      phone: '+1 555 0101',
      groups: expect.any(Array),
      grant: {
        admin: false,
        teams: [
          { team: 'billing', role: 'editor' },
          { team: 'reports', role: 'viewer' },
        ],
      },
    });
    expect([...user.groups].sort()).toEqual(
      [groupDn('billing-dev'), groupDn('billing-ops'), groupDn('reports-viewers')].sort(),
    );
    const carol = await directory.authenticate('carol', passwordOf('carol'));
    expect(carol.grant).toEqual({ admin: true, teams: [{ team: 'billing', role: 'editor' }] });
  });

  it('reads groups from memberOf when no groupBase is set (memberof overlay)', async () => {
    const directory = new Directory(configFor(slapd, { groupBase: undefined }));
    const bob = await directory.authenticate('bob', passwordOf('bob'));
    expect([...bob.groups].sort()).toEqual([groupDn('billing-ops'), groupDn('reports-viewers')].sort());
    expect(bob.grant).toEqual({
      admin: false,
      teams: [
        { team: 'billing', role: 'operator' },
        { team: 'reports', role: 'viewer' },
      ],
    });
  });

  it('searches anonymously when no service account is set', async () => {
    const directory = new Directory(configFor(slapd, { bindDn: undefined, bindPassword: undefined }));
    const bob = await directory.authenticate('bob', passwordOf('bob'));
    expect(bob.name).toBe('bob');
    expect(bob.grant.teams.map((t) => t.team)).toEqual(['billing', 'reports']);
  });

  it('takes the login name case-insensitively and answers it lower-cased', async () => {
    const directory = new Directory(configFor(slapd));
    const user = await directory.authenticate('ALICE', passwordOf('alice'));
    expect(user.name).toBe('alice');
  });

  it("puts the directory's spelling of the name into a groupFilter's {username}", async () => {
    const directory = new Directory(
      configFor(slapd, { groupFilter: `(member=uid={username},${PEOPLE_DN})` }),
    );
    const bob = await directory.authenticate('BOB', passwordOf('bob'));
    expect([...bob.groups].sort()).toEqual([groupDn('billing-ops'), groupDn('reports-viewers')].sort());
  });

  it('answers the same invalid_credentials for a wrong password and an unknown user', async () => {
    const directory = new Directory(configFor(slapd));
    const wrong = await failure(directory.authenticate('alice', 'not-her-password'));
    const unknown = await failure(directory.authenticate('mallory', 'whatever'));
    expect(wrong.kind).toBe('invalid_credentials');
    expect(unknown.kind).toBe('invalid_credentials');
    expect(wrong.message).toBe('invalid user name or password');
    expect(unknown.message).toBe(wrong.message);
    expect(wrong.message).not.toContain('not-her-password');
  });

  it('refuses an empty password before any bind (it would be an unauthenticated bind that succeeds)', async () => {
    const directory = new Directory(configFor(slapd));
    const err = await failure(directory.authenticate('alice', ''));
    expect(err.kind).toBe('invalid_credentials');
    // Proof that nothing was asked of the directory: it is gone, and the answer is still the user's fault.
    await slapd.stop();
    expect((await failure(directory.authenticate('alice', ''))).kind).toBe('invalid_credentials');
    expect((await failure(directory.authenticate('', 'x'))).kind).toBe('invalid_credentials');
  });

  it('cannot be tricked by filter syntax in the user name', async () => {
    const directory = new Directory(configFor(slapd));
    for (const name of ['*', 'alice)(uid=*', '*)(|(uid=*', 'al*', 'alice\\', 'alice\0']) {
      const err = await failure(directory.authenticate(name, passwordOf('alice')));
      expect(err.kind, name).toBe('invalid_credentials');
    }
  });

  it('refuses a login whose filter matches several entries', async () => {
    const directory = new Directory(
      configFor(slapd, { userFilter: '(|(uid={username})(objectClass=inetOrgPerson))' }),
    );
    const err = await failure(directory.authenticate('alice', passwordOf('alice')));
    expect(err.kind).toBe('invalid_credentials');
    expect(String((err.cause as Error).message)).toContain('several entries');
  });

  it('drops a team at the next login once the user leaves its group', async () => {
    for (const groupBase of [GROUPS_DN, undefined]) {
      const directory = new Directory(configFor(slapd, { groupBase }));
      const before = await directory.authenticate('alice', passwordOf('alice'));
      expect(before.grant.teams.map((t) => t.team)).toContain('reports');
    }
    await slapd.modify(
      `dn: ${groupDn('reports-viewers')}\nchangetype: modify\ndelete: member\nmember: ${userDn('alice')}\n`,
    );
    for (const groupBase of [GROUPS_DN, undefined]) {
      const directory = new Directory(configFor(slapd, { groupBase }));
      const after = await directory.authenticate('alice', passwordOf('alice'));
      expect(after.groups).not.toContain(groupDn('reports-viewers'));
      expect(after.grant).toEqual({ admin: false, teams: [{ team: 'billing', role: 'editor' }] });
    }
  });

  it('reports a stopped server as unavailable, naming the URL and the cause', async () => {
    const directory = new Directory(configFor(slapd));
    await slapd.stop();
    const err = await failure(directory.authenticate('alice', passwordOf('alice')));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toBe(
      `directory ${slapd.url} did not answer: connect ECONNREFUSED ${slapd.url.slice(7)}`,
    );
  });

  it('reports a refused service account as misconfigured', async () => {
    const directory = new Directory(configFor(slapd, { bindPassword: 'wrong' }));
    const err = await failure(directory.authenticate('alice', passwordOf('alice')));
    expect(err.kind).toBe('misconfigured');
    expect(err.message).toBe(
      'the service account bind was refused: check directory.bindDn and directory.bindPassword',
    );
  });

  it('reports a missing userBase as misconfigured', async () => {
    const directory = new Directory(configFor(slapd, { userBase: 'ou=nobody,dc=example,dc=com' }));
    const err = await failure(directory.authenticate('alice', passwordOf('alice')));
    expect(err.kind).toBe('misconfigured');
    expect(err.message).toContain('directory.userBase ou=nobody,dc=example,dc=com does not exist');
  });
});

describe.skipIf(!slapdAvailable())('Directory over TLS against slapd', () => {
  let slapd: Slapd;
  beforeEach(async () => {
    slapd = await startSlapd({ tls: true });
  });
  afterEach(async () => {
    await slapd.stop();
  });

  it('logs in over StartTLS and over ldaps:// when the CA file is given', async () => {
    const startTls = new Directory(configFor(slapd, { startTls: true, tls: { caFile: slapd.caFile } }));
    expect((await startTls.authenticate('bob', passwordOf('bob'))).name).toBe('bob');
    const ldaps = new Directory(configFor(slapd, { url: slapd.ldapsUrl, tls: { caFile: slapd.caFile } }));
    expect((await ldaps.authenticate('bob', passwordOf('bob'))).name).toBe('bob');
  });

  it('reports a certificate it cannot verify as unavailable, naming the URL', async () => {
    for (const overrides of [{ startTls: true }, { url: slapd.ldapsUrl }]) {
      const directory = new Directory(configFor(slapd, overrides));
      const err = await failure(directory.authenticate('bob', passwordOf('bob')));
      expect(err.kind).toBe('unavailable');
      const url = (overrides.url ?? slapd.url) as string;
      expect(err.message).toMatch(new RegExp(`^directory ${url} failed the TLS handshake: .*certificate`));
    }
  });

  it('accepts that certificate with tls.rejectUnauthorized false', async () => {
    const directory = new Directory(configFor(slapd, { startTls: true, tls: { rejectUnauthorized: false } }));
    expect((await directory.authenticate('bob', passwordOf('bob'))).name).toBe('bob');
  });
});

describe('Directory against a server that never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  beforeEach(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up after timeoutMs and reports unavailable', async () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const directory = new Directory(
      parseDirectoryConfig({ url: `ldap://127.0.0.1:${port}`, userBase: PEOPLE_DN, timeoutMs: 100 }, 'test'),
    );
    const err = await failure(directory.authenticate('alice', 'secret'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(
      new RegExp(`^directory ldap://127.0.0.1:${port} did not answer: .*timed out`),
    );
  });
});
