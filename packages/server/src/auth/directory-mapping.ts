/**
 * From a user's directory groups to JobCenter rights: pure, no I/O. Group
 * DNs are compared in a normal form, because the same group comes back as
 * `CN=Billing Dev,OU=Groups,DC=corp` from Active Directory and may be
 * written `cn=billing dev, ou=groups, dc=corp` in the config file.
 */
import { type Grant, strongerRole, type TeamRole } from '../domain/access.js';
import type { GroupMapping } from './directory-config.js';

/** Characters escaped in a normal-form attribute value (RFC 4514 2.4). */
const SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';', '=']);
const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

function escapeValue(value: string): string {
  const chars = [...value];
  let out = '';
  for (const [i, c] of chars.entries()) {
    const edge = (i === 0 && (c === ' ' || c === '#')) || (i === chars.length - 1 && c === ' ');
    out += SPECIAL.has(c) || edge ? `\\${c}` : c;
  }
  return out;
}

/**
 * A DN's RDNs in normal form: attribute types and values lower-cased, spaces
 * around `,`, `+` and `=` dropped, escapes (`\,` and `\2C` alike) decoded and
 * re-escaped one way. Null when `dn` is not a DN. Multi-valued RDNs keep
 * their order.
 */
export function splitDn(dn: string): string[] | null {
  const rdns: string[] = [];
  let parts: string[] = [];
  let i = 0;
  const skipSpaces = () => {
    while (dn[i] === ' ') i++;
  };
  while (i < dn.length) {
    skipSpaces();
    const eq = dn.indexOf('=', i);
    if (eq < 0) return null;
    const type = dn.slice(i, eq).trim().toLowerCase();
    if (type === '' || /[,+\\]/.test(type)) return null;
    i = eq + 1;
    skipSpaces();
    const bytes: number[] = [];
    // Where the value ends once unescaped trailing spaces are dropped.
    let kept = 0;
    while (i < dn.length && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
      const c = dn[i] as string;
      if (c === '\\') {
        const pair = dn.slice(i + 1, i + 3);
        if (HEX_PAIR.test(pair)) {
          bytes.push(Number.parseInt(pair, 16));
          i += 3;
        } else if (i + 1 < dn.length) {
          bytes.push(...Buffer.from(dn[i + 1] as string));
          i += 2;
        } else {
          return null;
        }
        kept = bytes.length;
        continue;
      }
      bytes.push(...Buffer.from(c));
      if (c !== ' ') kept = bytes.length;
      i++;
    }
    const value = Buffer.from(bytes.slice(0, kept)).toString('utf8').toLowerCase();
    if (value === '') return null;
    parts.push(`${type}=${escapeValue(value)}`);
    const separator = dn[i];
    i++;
    if (separator !== '+') {
      rdns.push(parts.join('+'));
      parts = [];
      if (separator !== undefined && i >= dn.length) return null;
    }
  }
  if (parts.length > 0) rdns.push(parts.join('+'));
  return rdns.length > 0 ? rdns : null;
}

/** `dn` in the normal form of `splitDn`, for comparing; null when it is not a DN. */
export function normalizeDn(dn: string): string | null {
  return splitDn(dn)?.join(',') ?? null;
}

/**
 * The rights of a user in `groupDns`: admin when any admin mapping's group is
 * among them, and for each team the strongest role any matching mapping
 * gives. Teams come sorted by name.
 */
export function grantFromGroups(groupDns: readonly string[], mappings: readonly GroupMapping[]): Grant {
  const held = new Set(groupDns.map(normalizeDn).filter((dn) => dn !== null));
  let admin = false;
  const teams = new Map<string, TeamRole>();
  for (const mapping of mappings) {
    const group = normalizeDn(mapping.group);
    if (group === null || !held.has(group)) continue;
    if ('admin' in mapping) {
      admin = true;
      continue;
    }
    const had = teams.get(mapping.team);
    teams.set(mapping.team, had ? strongerRole(had, mapping.role) : mapping.role);
  }
  return {
    admin,
    teams: [...teams]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([team, role]) => ({ team, role })),
  };
}
