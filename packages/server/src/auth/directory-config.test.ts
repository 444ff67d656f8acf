import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { parseDirectoryConfig } from './directory-config.js';

const MINIMAL = { url: 'ldap://ldap.example.com', userBase: 'ou=people,dc=example,dc=com' };

function parse(overrides: Record<string, unknown>) {
  return parseDirectoryConfig({ ...MINIMAL, ...overrides }, 'config.json');
}

/** The message `overrides` are refused with. */
function refusal(value: unknown): string {
  try {
    parseDirectoryConfig(value, 'config.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}
const refused = (overrides: Record<string, unknown>) => refusal({ ...MINIMAL, ...overrides });

describe('parseDirectoryConfig', () => {
  it('fills the documented defaults', () => {
    expect(parseDirectoryConfig(MINIMAL, 'config.json')).toEqual({
      url: 'ldap://ldap.example.com',
      startTls: false,
      tls: { caFile: undefined, ca: undefined, rejectUnauthorized: true },
      bindDn: undefined,
      bindPassword: undefined,
      userBase: 'ou=people,dc=example,dc=com',
      userFilter: '(uid={username})',
      attributes: {
        name: 'uid',
        displayName: 'cn',
        email: 'mail',
        phone: 'telephoneNumber',
        memberOf: 'memberOf',
      },
      groupBase: undefined,
      groupFilter: '(|(member={dn})(uniqueMember={dn}))',
      groups: [],
      timeoutMs: 5000,
    });
  });

  it('takes a full Active Directory setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jc-directory-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = parse({
      url: 'ldaps://dc1.corp.example.com:636/',
      tls: { caFile, rejectUnauthorized: true },
      bindDn: 'CN=svc-jobcenter,OU=Service Accounts,DC=corp,DC=example,DC=com',
      bindPassword: 's3cret',
      userFilter: '(&(objectClass=user)(sAMAccountName={username}))',
      attributes: { name: 'sAMAccountName', displayName: 'displayName' },
      groups: [
        { group: 'CN=JobCenter Admins,OU=Groups,DC=corp,DC=example,DC=com', admin: true },
        { group: 'CN=Billing Dev,OU=Groups,DC=corp,DC=example,DC=com', team: 'billing', role: 'editor' },
      ],
      timeoutMs: 3000,
    });
    expect(config.url).toBe('ldaps://dc1.corp.example.com:636');
    expect(config.tls.ca).toContain('BEGIN CERTIFICATE');
    expect(config.attributes).toMatchObject({
      name: 'sAMAccountName',
      displayName: 'displayName',
      email: 'mail',
    });
    expect(config.groups).toHaveLength(2);
    expect(config.timeoutMs).toBe(3000);
  });

  it('needs an object with a url and a userBase', () => {
    expect(refusal(null)).toBe('config: config.json: directory must be an object');
    expect(refusal([])).toBe('config: config.json: directory must be an object');
    expect(refusal({ userBase: 'dc=x' })).toBe(
      'config: config.json: directory.url must be an ldap:// or ldaps:// URL (required)',
    );
    expect(refusal({ url: 'ldap://x' })).toBe(
      'config: config.json: directory.userBase must be a non-empty string',
    );
  });

  it('refuses unknown keys, at every level', () => {
    expect(refused({ userbase: 'dc=x' })).toMatch(
      /^config: config.json: directory.userbase is not a known key/,
    );
    expect(refused({ tls: { ca: 'x' } })).toMatch(/directory.tls.ca is not a known key/);
    expect(refused({ attributes: { mail: 'mail' } })).toMatch(/directory.attributes.mail is not a known key/);
    expect(refused({ groups: [{ group: 'cn=a,dc=b', team: 'x', role: 'viewer', teams: [] }] })).toMatch(
      /directory.groups\[0\].teams is not a known key/,
    );
  });

  it('takes only ldap:// and ldaps:// URLs with a host and no path', () => {
    for (const url of [
      'http://ldap.example.com',
      'ldap.example.com',
      'ldap:///',
      'ldap://x/dc=example,dc=com',
      42,
    ]) {
      expect(refused({ url }), String(url)).toMatch(
        /^config: config.json: directory.url must be an ldap:\/\/ or ldaps:\/\/ URL/,
      );
    }
    expect(parse({ url: 'ldap://[::1]:3890' }).url).toBe('ldap://[::1]:3890');
  });

  it('refuses StartTLS on an ldaps:// URL', () => {
    expect(refused({ url: 'ldaps://x', startTls: true })).toMatch(
      /directory.startTls cannot be used with an ldaps/,
    );
    expect(refused({ startTls: 'yes' })).toMatch(/directory.startTls must be true or false/);
  });

  it('reads the CA file at once, and says when it cannot', () => {
    expect(refused({ tls: { caFile: '/nonexistent/ca.pem' } })).toMatch(
      /^config: config.json: directory.tls.caFile cannot be read: ENOENT/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'jc-directory-'));
    writeFileSync(join(dir, 'key.pem'), 'not a certificate');
    expect(refused({ tls: { caFile: join(dir, 'key.pem') } })).toMatch(
      /directory.tls.caFile .* holds no PEM certificate/,
    );
    expect(refused({ tls: { rejectUnauthorized: 'no' } })).toMatch(
      /directory.tls.rejectUnauthorized must be true or false/,
    );
  });

  it('wants the service account DN and password both or neither, and no empty password', () => {
    expect(refused({ bindDn: 'cn=svc,dc=x' })).toMatch(
      /directory.bindPassword must be set when directory.bindDn is/,
    );
    expect(refused({ bindPassword: 'x' })).toMatch(
      /directory.bindDn must be set when directory.bindPassword is/,
    );
    expect(refused({ bindDn: 'cn=svc,dc=x', bindPassword: '' })).toMatch(
      /directory.bindPassword must be a non-empty string/,
    );
  });

  it('checks the filters: placeholder present, syntax valid', () => {
    expect(refused({ userFilter: '(uid=alice)' })).toMatch(/directory.userFilter must contain \{username\}/);
    expect(refused({ userFilter: '(uid={username}' })).toMatch(
      /directory.userFilter is not a valid LDAP filter/,
    );
    expect(refused({ groupBase: 'ou=groups,dc=x', groupFilter: '(member=x)' })).toMatch(
      /directory.groupFilter must contain \{dn\} or \{username\}/,
    );
    expect(parse({ groupBase: 'ou=groups,dc=x', groupFilter: '(memberUid={username})' }).groupFilter).toBe(
      '(memberUid={username})',
    );
    expect(refused({ groupFilter: '(member={dn})' })).toMatch(
      /directory.groupFilter is only used with directory.groupBase/,
    );
  });

  it('checks attribute names', () => {
    expect(refused({ attributes: { name: '' } })).toMatch(
      /directory.attributes.name must be a non-empty string/,
    );
    expect(refused({ attributes: 'uid' })).toMatch(/directory.attributes must be an object/);
  });

  it('checks each group mapping', () => {
    const group = 'cn=billing-dev,ou=groups,dc=example,dc=com';
    expect(refused({ groups: {} })).toMatch(/directory.groups must be an array/);
    expect(refused({ groups: [{ group: 'cn=billing-dev', team: 'b', role: 'viewer' }] })).toMatch(
      /directory.groups\[0\].group must be a group's full DN/,
    );
    expect(refused({ groups: [{ team: 'b', role: 'viewer' }] })).toMatch(
      /directory.groups\[0\].group must be a group DN/,
    );
    expect(refused({ groups: [{ group, admin: false }] })).toMatch(
      /directory.groups\[0\].admin must be true when set/,
    );
    expect(refused({ groups: [{ group, admin: true, team: 'b', role: 'owner' }] })).toMatch(
      /directory.groups\[0\] must have either admin: true or a team and a role, not both/,
    );
    expect(refused({ groups: [{ group, role: 'viewer' }] })).toMatch(
      /directory.groups\[0\].team must be a team name/,
    );
    expect(refused({ groups: [{ group, team: 'b', role: 'admin' }] })).toMatch(
      /directory.groups\[0\].role must be one of viewer, operator, editor, owner, got "admin"/,
    );
    expect(refused({ groups: [{ group, team: 'b' }] })).toMatch(/directory.groups\[0\].role must be one of/);
  });

  it('checks timeoutMs', () => {
    for (const timeoutMs of [0, -1, 1.5, '5000', 2 ** 31]) {
      expect(refused({ timeoutMs }), String(timeoutMs)).toMatch(
        /directory.timeoutMs must be a whole number of milliseconds/,
      );
    }
  });
});
