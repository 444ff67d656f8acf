/**
 * Login against an LDAP server or Active Directory: find the user with the
 * service account, check the password by binding as them, read their groups
 * and map those to a grant. Every failure is a `DirectoryError` whose kind
 * says whether the user, the directory or the configuration is at fault.
 * No password ever reaches a message.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Client, Entry } from 'ldapts';

/** ldapts, loaded at the first directory login: a server without directory login does not carry it. */
type Ldapts = typeof import('ldapts');
let ldapts: Ldapts | null = null;

import type { Grant } from '../domain/access.js';
import type { DirectoryConfig } from './directory-config.js';
import { grantFromGroups } from './directory-mapping.js';

/** A user the directory vouched for, with the rights their groups give. */
export interface DirectoryUser {
  /** The user's entry. */
  dn: string;
  /** The login name (the `attributes.name` value, else what was typed), lower-cased. */
  name: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  /** DNs of the user's groups, as the directory wrote them. */
  groups: string[];
  /** What `groups` give through the configured mappings. */
  grant: Grant;
}

/**
 * Why a login failed. `invalid_credentials`: the user's fault, and the same
 * message whether the name or the password was wrong. `unavailable`: the
 * directory could not be reached or did not answer in time; a retry may help.
 * `misconfigured`: the `directory` settings are wrong; a retry will not help.
 * `cause` carries the directory's own answer, for the log.
 */
export class DirectoryError extends Error {
  readonly kind: 'invalid_credentials' | 'unavailable' | 'misconfigured';

  constructor(kind: DirectoryError['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryError';
    this.kind = kind;
  }
}

const INVALID_CREDENTIALS = 'invalid user name or password';

/** Result codes (RFC 4511 4.1.9) that mean "busy or down right now". */
const BUSY = new Set([3 /* timeLimitExceeded */, 51 /* busy */, 52 /* unavailable */]);
/** Result codes that mean "binds need TLS here". */
const NEEDS_TLS = new Set([8 /* strongerAuthRequired */, 13 /* confidentialityRequired */]);

/** `value` made literal inside an LDAP filter (RFC 4515 3): `*`, `(`, `)`, `\` and NUL escaped. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

type Step = 'connect' | 'service bind' | 'user search' | 'user bind' | 'group search';

export class Directory {
  constructor(private readonly config: DirectoryConfig) {}

  /** The user named `username` if `password` is theirs; throws DirectoryError otherwise. */
  async authenticate(username: string, password: string): Promise<DirectoryUser> {
    ldapts ??= await import('ldapts');
    // An empty password would make the bind an unauthenticated one, which succeeds (RFC 4513 5.1.2).
    const login = username.trim();
    if (login === '' || password === '') {
      throw new DirectoryError('invalid_credentials', INVALID_CREDENTIALS);
    }
    const { attributes } = this.config;
    const service = this.client();
    const user = this.client();
    try {
      await this.open(service);
      if (this.config.bindDn !== undefined && this.config.bindPassword !== undefined) {
        const { bindDn, bindPassword } = this.config;
        await this.step('service bind', () => service.bind(bindDn, bindPassword));
      }
      const wanted = [attributes.name, attributes.displayName, attributes.email, attributes.phone];
      if (this.config.groupBase === undefined) wanted.push(attributes.memberOf);
      const { searchEntries } = await this.step('user search', () =>
        service.search(this.config.userBase, {
          scope: 'sub',
          filter: this.config.userFilter.replaceAll('{username}', escapeFilterValue(login)),
          sizeLimit: 2,
          attributes: wanted,
        }),
      );
      const entry = searchEntries[0];
      if (entry === undefined || searchEntries.length > 1) {
        const cause = new Error(
          entry === undefined
            ? 'no entry matches'
            : 'several entries match: make directory.userFilter unique',
        );
        throw new DirectoryError('invalid_credentials', INVALID_CREDENTIALS, { cause });
      }

      await this.open(user);
      await this.step('user bind', () => user.bind(entry.dn, password));

      // The directory's spelling of the name, which a case-sensitive memberUid match needs.
      const name = first(entry, attributes.name) ?? login;
      const groups = await this.groupsOf(service, entry, name);
      return {
        dn: entry.dn,
        name: name.toLowerCase(),
        displayName: first(entry, attributes.displayName),
        email: first(entry, attributes.email),
        phone: first(entry, attributes.phone),
        groups,
        grant: grantFromGroups(groups, this.config.groups),
      };
    } finally {
      await Promise.allSettled([service.unbind(), user.unbind()]);
    }
  }

  private async groupsOf(service: Client, entry: Entry, name: string): Promise<string[]> {
    const { groupBase, groupFilter } = this.config;
    if (groupBase === undefined) return all(entry, this.config.attributes.memberOf);
    const filter = groupFilter
      .replaceAll('{dn}', escapeFilterValue(entry.dn))
      .replaceAll('{username}', escapeFilterValue(name));
    const { searchEntries } = await this.step('group search', () =>
      service.search(groupBase, { scope: 'sub', filter, attributes: ['1.1'] }),
    );
    return searchEntries.map((group) => group.dn);
  }

  private client(): Client {
    const { timeoutMs } = this.config;
    return new (ldapts as Ldapts).Client({
      url: this.config.url,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      // ldapts connects with TLS from the first byte whenever tlsOptions are given: ldaps:// only.
      ...(this.config.url.startsWith('ldaps:') ? { tlsOptions: this.tlsOptions() } : {}),
    });
  }

  private tlsOptions(): ConnectionOptions {
    const host = new URL(this.config.url).hostname.replace(/^\[|\]$/g, '');
    return {
      ca: this.config.tls.ca,
      rejectUnauthorized: this.config.tls.rejectUnauthorized,
      // The certificate is checked against `host`; SNI takes names only, never addresses.
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
    };
  }

  /** Connects, with StartTLS when configured; ldapts connects lazily otherwise. */
  private async open(client: Client): Promise<void> {
    if (this.config.startTls) await this.step('connect', () => client.startTLS(this.tlsOptions()));
  }

  /** Runs one LDAP operation, turning what it throws into a DirectoryError for `step`. */
  private async step<T>(step: Step, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw this.explain(step, err);
    }
  }

  private explain(step: Step, err: unknown): DirectoryError {
    const { url } = this.config;
    if (err instanceof DirectoryError) return err;
    const cause = { cause: err };
    if (!(ldapts && err instanceof ldapts.ResultCodeError)) {
      const message = oneLine(err);
      if (isTlsFailure(err)) {
        const hint =
          (err as { code?: unknown }).code === 'ERR_TLS_CERT_ALTNAME_INVALID'
            ? 'use the host name the certificate names in directory.url'
            : 'check directory.tls.caFile';
        return new DirectoryError(
          'unavailable',
          `directory ${url} failed the TLS handshake: ${message} (${hint})`,
          cause,
        );
      }
      return new DirectoryError('unavailable', `directory ${url} did not answer: ${message}`, cause);
    }
    const answer = `${err.name}, code ${err.code}`;
    if (BUSY.has(err.code)) {
      return new DirectoryError('unavailable', `directory ${url} is busy or unavailable (${answer})`, cause);
    }
    if (NEEDS_TLS.has(err.code)) {
      return new DirectoryError(
        'misconfigured',
        `directory ${url} requires TLS for ${step}: use an ldaps:// url or set directory.startTls (${answer})`,
        cause,
      );
    }
    switch (step) {
      case 'connect':
        return new DirectoryError(
          'misconfigured',
          `directory ${url} refused StartTLS: check directory.startTls (${answer})`,
          cause,
        );
      case 'service bind':
        return new DirectoryError(
          'misconfigured',
          err.code === 49
            ? 'the service account bind was refused: check directory.bindDn and directory.bindPassword'
            : `the service account bind was refused (${answer}): check directory.bindDn and directory.bindPassword`,
          cause,
        );
      case 'user bind':
        // Wrong password, locked, disabled or expired: the directory said no to this user.
        return new DirectoryError('invalid_credentials', INVALID_CREDENTIALS, cause);
      case 'user search':
        return new DirectoryError(
          'misconfigured',
          err.code === 32
            ? `directory.userBase ${this.config.userBase} does not exist (${answer})`
            : `the user search under directory.userBase failed (${answer}): check directory.userFilter and the service account's rights`,
          cause,
        );
      case 'group search':
        return new DirectoryError(
          'misconfigured',
          err.code === 32
            ? `directory.groupBase ${this.config.groupBase} does not exist (${answer})`
            : `the group search under directory.groupBase failed (${answer}): check directory.groupFilter and the service account's rights`,
          cause,
        );
    }
  }
}

/** Values of `attribute` in `entry` (attribute names are case-insensitive), as text. */
function all(entry: Entry, attribute: string): string[] {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k !== 'dn' && k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

function first(entry: Entry, attribute: string): string | null {
  const value = all(entry, attribute)[0]?.trim();
  return value === undefined || value === '' ? null : value;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*\n\s*/g, '; ');
}

function isTlsFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (
    typeof code === 'string' &&
    (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || /CERT/.test(code))
  ) {
    return true;
  }
  return err instanceof Error && /certificate|SSL routines|TLS/i.test(err.message);
}
