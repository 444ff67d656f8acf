/**
 * Console login: local users by password hash, directory users by LDAP,
 * side by side; failed attempts are counted per user name and per address
 * and lock both out for a while. Every attempt is audited.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { User } from '../domain/user.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { ThrottlePolicy } from '../store/login-throttle-repo.js';
import type { Session } from '../store/sessions-repo.js';
import type { Store } from '../store/store.js';
import type { Accounts } from './accounts.js';
import type { AuditLog } from './audit.js';
import { type Directory, DirectoryError } from './directory.js';
import { verifyNothing, verifyPassword } from './passwords.js';

export interface LoginPolicy {
  /** Failures per user name. */
  user: ThrottlePolicy;
  /** Failures per address. */
  address: ThrottlePolicy;
}

export interface LoginResult {
  user: User;
  cookie: string;
  session: Session;
}

export class Login {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      log: Logger;
      accounts: Accounts;
      audit: AuditLog;
      directory: Directory | null;
      policy: LoginPolicy;
    },
  ) {}

  async login(
    username: string,
    password: string,
    ip: string | null,
    userAgent: string | null,
  ): Promise<LoginResult> {
    const { store, clock, audit, policy } = this.deps;
    const name = username.trim().toLowerCase();
    const limits: [key: string, policy: ThrottlePolicy][] = [[`user:${name}`, policy.user]];
    if (ip) limits.push([`ip:${ip}`, policy.address]);
    const now = clock.now();
    const actor = { name, kind: 'anonymous' as const, tokenId: null, ip };
    let locked = await store.loginThrottle.lockedUntil(
      limits.map(([key]) => key),
      now,
    );
    // The attempt counts as a failure before the password is checked: guesses sent
    // in parallel must not all be checked before the first failure is written.
    for (const [key, limit] of locked === null ? limits : []) {
      const until = await store.loginThrottle.countAttempt(key, now, limit);
      if (until !== null) locked = Math.max(locked ?? 0, until);
    }
    if (locked !== null) {
      await audit.record(actor, 'auth.login_locked', { type: 'user', name, team: null });
      const seconds = Math.ceil((locked - now) / 1000);
      throw new ApiError(
        'login_locked',
        `too many failed logins for ${name} or from this address: try again in ${seconds} s`,
      );
    }
    let user: User | null;
    try {
      user = await this.check(name, password);
    } catch (err) {
      for (const [key] of limits) await store.loginThrottle.forgive(key);
      throw err;
    }
    if (user === null) {
      await audit.record(actor, 'auth.login_failed', { type: 'user', name, team: null });
      throw new ApiError('invalid_credentials');
    }
    await store.loginThrottle.clear(`user:${name}`);
    if (ip) await store.loginThrottle.forgive(`ip:${ip}`);
    if (user.disabled) {
      await audit.record(
        actor,
        'auth.login_refused',
        { type: 'user', name, team: null },
        { reason: 'disabled' },
      );
      throw new ApiError('account_disabled', `the account ${name} is disabled: ask an admin`);
    }
    await store.users.recordLogin(user.id, now);
    const { cookie, session } = await this.deps.accounts.startSession(user, ip, userAgent);
    await audit.record(
      { name: user.name, kind: 'user', tokenId: null, ip },
      'auth.login',
      { type: 'user', name: user.name, team: null },
      { source: user.source },
    );
    return { user, cookie, session };
  }

  /** The user whose password this is, or null. Directory problems other than a wrong password throw. */
  private async check(name: string, password: string): Promise<User | null> {
    const { store, directory, clock } = this.deps;
    if (name === '' || password === '') return verifyNothing(password).then(() => null);
    const found = await store.users.findForLogin(name);
    if (found?.user.source === 'local') {
      if (found.passwordHash === null) return verifyNothing(password).then(() => null);
      return (await verifyPassword(password, found.passwordHash)) ? found.user : null;
    }
    if (!directory) return verifyNothing(password).then(() => null);
    let entry: Awaited<ReturnType<Directory['authenticate']>>;
    try {
      entry = await directory.authenticate(name, password);
    } catch (err) {
      if (err instanceof DirectoryError && err.kind === 'invalid_credentials') return null;
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error({ err: message }, 'directory login failed');
      throw new ApiError('directory_unavailable', `directory login is not possible now: ${message}`);
    }
    const synced = await store.users.syncDirectoryUser(
      {
        name: entry.name,
        displayName: entry.displayName,
        email: entry.email,
        phone: entry.phone,
        grant: entry.grant,
      },
      newId(clock.now()),
      clock.now(),
    );
    return synced === 'local_user' ? null : synced;
  }
}
