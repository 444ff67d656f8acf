/**
 * The `directory` key of the JSON config file: how to reach an LDAP server
 * or Active Directory, how to find a user, and which directory groups give
 * which rights. `parseDirectoryConfig` validates it once, fills the
 * defaults and reads the CA file, so a bad setting stops the server at
 * start-up instead of failing each login.
 */
import { readFileSync } from 'node:fs';
import { FilterParser } from 'ldapts';
import { ConfigError } from '../config.js';
import { isTeamRole, TEAM_ROLES, type TeamRole } from '../domain/access.js';
import { splitDn } from './directory-mapping.js';

/** A directory group and the rights its members get: admin, or a role in one team. */
export type GroupMapping =
  | {
      /** The group's full DN, compared case-insensitively and ignoring spaces around `,` and `=`. */
      group: string;
      admin: true;
    }
  | {
      group: string;
      /** The JobCenter team (1 to 128 characters). */
      team: string;
      role: TeamRole;
    };

/** Which attribute of a user entry holds what. */
export interface DirectoryAttributes {
  /** The login name; lower-cased, it becomes the JobCenter user name. Default `uid` (AD: `sAMAccountName`). */
  name: string;
  /** Default `cn` (AD: `displayName`). */
  displayName: string;
  /** Default `mail`. */
  email: string;
  /** Default `telephoneNumber`. */
  phone: string;
  /** The user's group DNs, read when `groupBase` is not set. Default `memberOf`. */
  memberOf: string;
}

export interface DirectoryConfig {
  /** `ldap://host[:port]` or `ldaps://host[:port]`; required. Ports default to 389 and 636. */
  url: string;
  /** Upgrade an ldap:// connection with StartTLS before any bind. Default false; not allowed with ldaps://. */
  startTls: boolean;
  tls: {
    /** The CA file's path, as configured; unset: the system's CAs. */
    caFile: string | undefined;
    /** The PEM text of `caFile`, read when the config is parsed. */
    ca: string | undefined;
    /** Refuse a server whose certificate does not verify. Default true. */
    rejectUnauthorized: boolean;
  };
  /** The service account that searches for users; unset (with `bindPassword`): anonymous search. */
  bindDn: string | undefined;
  /** The service account's password; set exactly when `bindDn` is. */
  bindPassword: string | undefined;
  /** Where users are searched (scope: the whole subtree); required. */
  userBase: string;
  /** The user search filter; `{username}` is replaced with the escaped login name. Default `(uid={username})`. */
  userFilter: string;
  attributes: DirectoryAttributes;
  /** Where groups are searched; unset: groups come from the user's `memberOf` attribute instead. */
  groupBase: string | undefined;
  /**
   * The group search filter, used with `groupBase`; `{dn}` is replaced with the user's escaped DN and
   * `{username}` with their escaped `attributes.name` value. Default `(|(member={dn})(uniqueMember={dn}))`.
   */
  groupFilter: string;
  /** Group mappings; a user's rights are the union of every mapping whose group they are in. Default none. */
  groups: GroupMapping[];
  /** Connect timeout and timeout of each LDAP operation, ms. Default 5,000. */
  timeoutMs: number;
}

export const DIRECTORY_DEFAULTS = {
  startTls: false,
  rejectUnauthorized: true,
  userFilter: '(uid={username})',
  attributes: {
    name: 'uid',
    displayName: 'cn',
    email: 'mail',
    phone: 'telephoneNumber',
    memberOf: 'memberOf',
  } satisfies DirectoryAttributes,
  groupFilter: '(|(member={dn})(uniqueMember={dn}))',
  timeoutMs: 5_000,
} as const;

type Json = Record<string, unknown>;

/** Reads one `directory` object; throws ConfigError naming `source` and the key. */
export function parseDirectoryConfig(value: unknown, source: string): DirectoryConfig {
  const fail = (key: string, problem: string): never => {
    throw new ConfigError(`${source}: directory${key} ${problem}`);
  };
  const object = (key: string, v: unknown, allowed: readonly string[]): Json => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(key, 'must be an object');
    const unknown = Object.keys(v as Json).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) {
      fail(`${key}.${unknown[0]}`, `is not a known key (known: ${allowed.join(', ')})`);
    }
    return v as Json;
  };
  const text = (key: string, v: unknown): string => {
    if (typeof v !== 'string' || v.trim() === '') fail(key, 'must be a non-empty string');
    return v as string;
  };
  const optionalText = (key: string, v: unknown) => (v === undefined ? undefined : text(key, v));
  const flag = (key: string, v: unknown, fallback: boolean): boolean => {
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') fail(key, `must be true or false, got ${JSON.stringify(v)}`);
    return v as boolean;
  };
  const filter = (key: string, v: unknown, fallback: string, placeholders: string[]): string => {
    const f = v === undefined ? fallback : text(key, v);
    if (!placeholders.some((p) => f.includes(p))) fail(key, `must contain ${placeholders.join(' or ')}`);
    let sample = f;
    for (const p of placeholders) sample = sample.replaceAll(p, 'x');
    try {
      FilterParser.parseString(sample);
    } catch (err) {
      fail(key, `is not a valid LDAP filter: ${(err as Error).message}`);
    }
    return f;
  };

  const d = object('', value, [
    'url',
    'startTls',
    'tls',
    'bindDn',
    'bindPassword',
    'userBase',
    'userFilter',
    'attributes',
    'groupBase',
    'groupFilter',
    'groups',
    'timeoutMs',
  ]);

  const url = parseUrl(d.url, (problem) => fail('.url', problem));
  const startTls = flag('.startTls', d.startTls, DIRECTORY_DEFAULTS.startTls);
  if (startTls && url.startsWith('ldaps:')) {
    fail('.startTls', 'cannot be used with an ldaps:// url (the connection is already TLS)');
  }
  const tls = object('.tls', d.tls ?? {}, ['caFile', 'rejectUnauthorized']);
  const caFile = optionalText('.tls.caFile', tls.caFile);
  const ca = caFile === undefined ? undefined : readCa(caFile, (problem) => fail('.tls.caFile', problem));

  const bindDn = optionalText('.bindDn', d.bindDn);
  // An empty password would make the service bind an anonymous one (RFC 4513 5.1.2): text() refuses it.
  const bindPassword = optionalText('.bindPassword', d.bindPassword);
  if (bindDn !== undefined && bindPassword === undefined) {
    fail('.bindPassword', 'must be set when directory.bindDn is (leave both out for an anonymous search)');
  }
  if (bindDn === undefined && bindPassword !== undefined) {
    fail('.bindDn', 'must be set when directory.bindPassword is (leave both out for an anonymous search)');
  }

  const attributes = object('.attributes', d.attributes ?? {}, Object.keys(DIRECTORY_DEFAULTS.attributes));
  const attribute = (key: keyof DirectoryAttributes) =>
    attributes[key] === undefined
      ? DIRECTORY_DEFAULTS.attributes[key]
      : text(`.attributes.${key}`, attributes[key]);

  const groupBase = optionalText('.groupBase', d.groupBase);
  if (groupBase === undefined && d.groupFilter !== undefined) {
    fail('.groupFilter', 'is only used with directory.groupBase: set both, or neither to read memberOf');
  }

  return {
    url,
    startTls,
    tls: {
      caFile,
      ca,
      rejectUnauthorized: flag(
        '.tls.rejectUnauthorized',
        tls.rejectUnauthorized,
        DIRECTORY_DEFAULTS.rejectUnauthorized,
      ),
    },
    bindDn,
    bindPassword,
    userBase: text('.userBase', d.userBase),
    userFilter: filter('.userFilter', d.userFilter, DIRECTORY_DEFAULTS.userFilter, ['{username}']),
    attributes: {
      name: attribute('name'),
      displayName: attribute('displayName'),
      email: attribute('email'),
      phone: attribute('phone'),
      memberOf: attribute('memberOf'),
    },
    groupBase,
    groupFilter: filter('.groupFilter', d.groupFilter, DIRECTORY_DEFAULTS.groupFilter, [
      '{dn}',
      '{username}',
    ]),
    groups: parseGroups(d.groups, fail, object),
    timeoutMs: parseTimeout(d.timeoutMs, (problem) => fail('.timeoutMs', problem)),
  };
}

function parseUrl(value: unknown, fail: (problem: string) => never): string {
  const problem = 'must be an ldap:// or ldaps:// URL';
  if (typeof value !== 'string') return fail(`${problem} (required)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${problem}, got ${JSON.stringify(value)}`);
  }
  if ((url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') || url.hostname === '') {
    return fail(`${problem}, got ${JSON.stringify(value)}`);
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.username !== '') {
    return fail(
      `${problem} with only a host and port (put the base DN in directory.userBase), got ${JSON.stringify(value)}`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

function readCa(path: string, fail: (problem: string) => never): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    return fail(`cannot be read: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return fail(`${path} holds no PEM certificate`);
  return pem;
}

function parseTimeout(value: unknown, fail: (problem: string) => never): number {
  if (value === undefined) return DIRECTORY_DEFAULTS.timeoutMs;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2_147_483_647) {
    return fail(`must be a whole number of milliseconds from 1 to 2147483647, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseGroups(
  value: unknown,
  fail: (key: string, problem: string) => never,
  object: (key: string, v: unknown, allowed: readonly string[]) => Json,
): GroupMapping[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail('.groups', 'must be an array of group mappings');
  return value.map((v, i): GroupMapping => {
    const key = `.groups[${i}]`;
    const m = object(key, v, ['group', 'admin', 'team', 'role']);
    if (typeof m.group !== 'string' || m.group.trim() === '') fail(`${key}.group`, 'must be a group DN');
    const group = m.group as string;
    const rdns = splitDn(group);
    if (rdns === null || rdns.length < 2) {
      fail(
        `${key}.group`,
        `must be a group's full DN (e.g. cn=billing-dev,ou=groups,dc=example,dc=com), got ${JSON.stringify(group)}`,
      );
    }
    if (m.admin !== undefined) {
      if (m.admin !== true) fail(`${key}.admin`, 'must be true when set (leave it out for a team role)');
      if (m.team !== undefined || m.role !== undefined) {
        fail(key, 'must have either admin: true or a team and a role, not both');
      }
      return { group, admin: true };
    }
    if (typeof m.team !== 'string' || m.team.trim() === '' || m.team.length > 128) {
      fail(`${key}.team`, 'must be a team name (1 to 128 characters), or set admin: true instead');
    }
    if (!isTeamRole(m.role)) {
      fail(`${key}.role`, `must be one of ${TEAM_ROLES.join(', ')}, got ${JSON.stringify(m.role)}`);
    }
    return { group, team: m.team as string, role: m.role as TeamRole };
  });
}
