import { describe, expect, it } from 'vitest';
import type { GroupMapping } from './directory-config.js';
import { grantFromGroups, normalizeDn, splitDn } from './directory-mapping.js';

const DEV = 'cn=billing-dev,ou=groups,dc=example,dc=com';
const OPS = 'cn=billing-ops,ou=groups,dc=example,dc=com';
const ADMINS = 'cn=jobcenter-admins,ou=groups,dc=example,dc=com';
const REPORTS = 'cn=reports-viewers,ou=groups,dc=example,dc=com';

const MAPPINGS: GroupMapping[] = [
  { group: ADMINS, admin: true },
  { group: DEV, team: 'billing', role: 'editor' },
  { group: OPS, team: 'billing', role: 'operator' },
  { group: REPORTS, team: 'reports', role: 'viewer' },
  { group: OPS, team: 'reports', role: 'operator' },
];

describe('normalizeDn', () => {
  it('ignores case and the spaces around separators', () => {
    expect(normalizeDn('CN=Billing Dev , OU=Groups,  DC=Corp ,DC=Example')).toBe(
      'cn=billing dev,ou=groups,dc=corp,dc=example',
    );
    expect(normalizeDn('cn = a, dc = b')).toBe('cn=a,dc=b');
  });

  it('reads escapes one way, whether written as a character or in hex', () => {
    const expected = 'cn=smith\\, john,ou=people,dc=corp';
    expect(normalizeDn('CN=Smith\\, John,OU=People,DC=Corp')).toBe(expected);
    expect(normalizeDn('cn=Smith\\2C John,ou=People,dc=Corp')).toBe(expected);
    expect(normalizeDn('cn=Zo\\C3\\AB,dc=corp')).toBe(normalizeDn('cn=ZOË,dc=corp'));
  });

  it('keeps an escaped trailing space and drops an unescaped one', () => {
    expect(normalizeDn('cn=a\\ ,dc=b')).toBe('cn=a\\ ,dc=b');
    expect(normalizeDn('cn=a ,dc=b')).toBe('cn=a,dc=b');
  });

  it('keeps multi-valued RDNs', () => {
    expect(splitDn('CN=a + UID=b,dc=c')).toEqual(['cn=a+uid=b', 'dc=c']);
  });

  it('answers null for what is not a DN', () => {
    for (const bad of ['', 'billing-dev', 'cn=', '=x', 'cn=a,', 'cn=a,dc', 'cn=a\\']) {
      expect(normalizeDn(bad), bad).toBeNull();
    }
  });
});

describe('grantFromGroups', () => {
  it('gives nothing for no group or no matching group', () => {
    expect(grantFromGroups([], MAPPINGS)).toEqual({ admin: false, teams: [] });
    expect(grantFromGroups(['cn=other,dc=example,dc=com'], MAPPINGS)).toEqual({ admin: false, teams: [] });
    expect(grantFromGroups([DEV], [])).toEqual({ admin: false, teams: [] });
  });

  it('takes the strongest role per team, whatever the order of groups or mappings', () => {
    const expected = {
      admin: false,
      teams: [
        { team: 'billing', role: 'editor' },
        { team: 'reports', role: 'operator' },
      ],
    };
    expect(grantFromGroups([OPS, DEV, REPORTS], MAPPINGS)).toEqual(expected);
    expect(grantFromGroups([REPORTS, DEV, OPS], [...MAPPINGS].reverse())).toEqual(expected);
  });

  it('gives admin when any admin mapping matches, and keeps the team roles', () => {
    expect(grantFromGroups([ADMINS, REPORTS], MAPPINGS)).toEqual({
      admin: true,
      teams: [{ team: 'reports', role: 'viewer' }],
    });
  });

  it('matches group DNs as the directory writes them against the config as the operator wrote it', () => {
    const mappings: GroupMapping[] = [
      { group: 'cn=billing-dev, ou=groups, dc=example, dc=com', team: 'billing', role: 'owner' },
    ];
    expect(grantFromGroups(['CN=Billing-Dev,OU=Groups,DC=Example,DC=Com'], mappings)).toEqual({
      admin: false,
      teams: [{ team: 'billing', role: 'owner' }],
    });
  });

  it('does not match a group by a prefix or a suffix of its DN', () => {
    expect(grantFromGroups(['cn=billing-dev,ou=groups', `cn=x,${DEV}`], MAPPINGS)).toEqual({
      admin: false,
      teams: [],
    });
  });

  it('ignores group values that are not DNs', () => {
    expect(grantFromGroups(['not a dn', DEV], MAPPINGS).teams).toEqual([{ team: 'billing', role: 'editor' }]);
  });
});
