/**
 * Users, their rights, API tokens and console sessions: the rules the API
 * and the CLI share. Everything is checked here (names, passwords, token
 * scopes), so both answer the same errors.
 */
import type { Clock } from '../clock.js';
import {
  type Access,
  accessOf,
  type Grant,
  isTeamRole,
  narrowAccess,
  scopeExcess,
} from '../domain/access.js';
import { grantOfUser, NAME_PATTERN, type User } from '../domain/user.js';
import { ApiError, invalid } from '../errors.js';
import { newId } from '../ids.js';
import type { Session } from '../store/sessions-repo.js';
import type { Store } from '../store/store.js';
import type { ApiToken } from '../store/tokens-repo.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { digest, newApiToken, newOpaque } from './secrets.js';

export interface SessionPolicy {
  /** A session unused this long ends, ms. */
  idleMs: number;
  /** A session ends this long after login, ms. */
  maxMs: number;
}

export interface NewUserInput {
  name: string;
  password?: string | null | undefined;
  displayName?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  admin?: boolean | undefined;
}

export interface NewTokenInput {
  name: string;
  /** Absent or null: the owner's own rights at each call. */
  scope?: Grant | null | undefined;
  expiresAt?: number | null | undefined;
}

/** Someone authenticated, with the rights they have for this request. */
export interface Identity {
  user: User;
  access: Access;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{2,30}$/;

/** Checks a user or team name; answers the field error. */
export function checkName(field: string, name: string): void {
  if (name.length > 128) throw invalid(field, 'must be at most 128 characters');
  if (!NAME_PATTERN.test(name)) {
    throw invalid(field, `must match [a-z0-9][a-z0-9._-]* (lower case), got ${JSON.stringify(name)}`);
  }
}

/** Checks the contact fields of a profile. */
export function checkContact(input: {
  email?: string | null | undefined;
  phone?: string | null | undefined;
}): void {
  if (input.email && !EMAIL.test(input.email)) invalidThrow('email', `not an email address: ${input.email}`);
  if (input.phone && !PHONE.test(input.phone)) {
    invalidThrow('phone', `not a phone number (digits, optional leading +): ${input.phone}`);
  }
}

function invalidThrow(field: string, problem: string): never {
  throw invalid(field, problem);
}

export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly sessions: SessionPolicy,
  ) {}

  async createUser(input: NewUserInput): Promise<User> {
    checkName('name', input.name);
    checkContact(input);
    if (input.password != null) {
      const problem = passwordProblem(input.password);
      if (problem) throw invalid('password', problem.replace(/^password: /, ''));
    }
    const now = this.clock.now();
    const created = await this.store.users.insert(
      {
        id: newId(now),
        name: input.name,
        displayName: input.displayName ?? null,
        email: input.email ?? null,
        phone: input.phone ?? null,
        source: 'local',
        passwordHash: input.password == null ? null : await hashPassword(input.password),
        admin: input.admin ?? false,
      },
      now,
    );
    if (created === 'exists')
      throw new ApiError('duplicate_name', `a user named ${input.name} exists`, 'name');
    return created;
  }

  async getUser(idOrName: string): Promise<User> {
    const user = await this.store.users.find(idOrName);
    if (!user) throw new ApiError('user_not_found', `no user ${idOrName}`);
    return user;
  }

  /** Sets a local user's password and ends the user's sessions. */
  async setPassword(user: User, password: string): Promise<void> {
    if (user.source !== 'local') {
      throw new ApiError(
        'directory_managed',
        `${user.name} logs in through the directory: change the password there`,
      );
    }
    const problem = passwordProblem(password);
    if (problem) throw invalid('password', problem.replace(/^password: /, ''));
    await this.store.users.setPassword(user.id, await hashPassword(password), this.clock.now());
    await this.store.sessions.deleteForUser(user.id);
  }

  /** Disables or enables a user; disabling ends its sessions (its tokens stop working too). */
  async setDisabled(user: User, disabled: boolean): Promise<User> {
    const updated = await this.store.users.update(user.id, { disabled }, this.clock.now());
    if (disabled) await this.store.sessions.deleteForUser(user.id);
    return updated ?? user;
  }

  /** The user's own rights, as they are now. */
  async accessOf(user: User): Promise<Access> {
    return accessOf(grantOfUser(user, await this.store.users.memberships(user.id)));
  }

  /**
   * Creates an API token for `user`; the value is returned here only.
   * The scope may not be wider than the user's own rights.
   */
  async createToken(
    user: User,
    input: NewTokenInput,
    /** The rights of the token used to ask, when one was: the new scope stays within them too. */
    limit?: Access,
  ): Promise<{ token: string; record: ApiToken }> {
    if (input.name.trim() === '' || input.name.length > 128) {
      throw invalid('name', 'must be 1 to 128 characters');
    }
    const now = this.clock.now();
    if (input.expiresAt != null && input.expiresAt <= now)
      throw invalid('expiresAt', 'must be in the future');
    const scope = input.scope ?? null;
    if (scope !== null) {
      for (const [i, t] of scope.teams.entries()) {
        if (!isTeamRole(t.role))
          throw invalid(`scope.teams.${i}.role`, 'must be viewer, operator, editor or owner');
      }
      const excess = scopeExcess(limit ?? (await this.accessOf(user)), scope);
      if (excess) throw new ApiError('forbidden', excess, excess.split(':')[0]);
    }
    const token = newApiToken();
    const record: ApiToken = {
      id: newId(now),
      name: input.name,
      userId: user.id,
      scope,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.store.tokens.insert({ ...record, digest: digest(token) });
    return { token, record };
  }

  /** Who presents this API token, with the token's rights; null when it is unknown, revoked, expired or its user disabled. */
  async identifyToken(value: string): Promise<(Identity & { token: ApiToken }) | null> {
    const token = await this.store.tokens.findByDigest(digest(value));
    const now = this.clock.now();
    if (!token || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now))
      return null;
    const user = await this.store.users.find(token.userId);
    if (!user || user.disabled) return null;
    await this.store.tokens.touch(token, now);
    return { user, token, access: narrowAccess(await this.accessOf(user), token.scope) };
  }

  /** Starts a console session; answers the cookie value (shown to the browser only) and the session. */
  async startSession(
    user: User,
    ip: string | null,
    userAgent: string | null,
  ): Promise<{ cookie: string; session: Session }> {
    const now = this.clock.now();
    const cookie = newOpaque();
    const session: Session = {
      idHash: digest(cookie),
      userId: user.id,
      csrfToken: newOpaque(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.sessions.maxMs,
    };
    await this.store.sessions.insert({ ...session, ip, userAgent });
    return { cookie, session };
  }

  /**
   * The session of this cookie value and its user: 'expired' when it passed
   * its idle or absolute limit (and is removed), null when unknown.
   */
  async identifySession(cookie: string): Promise<(Identity & { session: Session }) | 'expired' | null> {
    const session = await this.store.sessions.find(digest(cookie));
    if (!session) return null;
    const now = this.clock.now();
    if (session.expiresAt <= now || session.lastSeenAt + this.sessions.idleMs <= now) {
      await this.store.sessions.delete(session.idHash);
      return 'expired';
    }
    const user = await this.store.users.find(session.userId);
    if (!user || user.disabled) {
      await this.store.sessions.delete(session.idHash);
      return null;
    }
    // Coarse idle tracking: at most one write per session per minute.
    if (now - session.lastSeenAt >= Math.min(60_000, this.sessions.idleMs / 4)) {
      await this.store.sessions.touch(session.idHash, now);
    }
    return { user, session, access: await this.accessOf(user) };
  }

  async endSession(session: Session): Promise<void> {
    await this.store.sessions.delete(session.idHash);
  }

  /**
   * JOBCENTER_BOOTSTRAP_TOKEN: on a store with no user yet, creates the
   * local admin `admin` (no password) and an API token of it with this value.
   * Answers whether it did.
   */
  async bootstrap(tokenValue: string): Promise<boolean> {
    const admin = await this.insertFirstAdmin(null);
    // Another node bootstrapping at the same instant created it: its token has the same value.
    if (admin === null) return false;
    const now = this.clock.now();
    await this.store.tokens.insert({
      id: newId(now),
      name: 'bootstrap',
      userId: admin.id,
      scope: null,
      createdAt: now,
      expiresAt: null,
      digest: digest(tokenValue),
    });
    return true;
  }

  /**
   * A fresh store with no user and no bootstrap token: creates the local
   * admin `admin` with a random password and answers it (to be shown once).
   * Null when any user exists.
   */
  async createFirstAdmin(): Promise<string | null> {
    if ((await this.store.users.count()) > 0) return null;
    const password = newOpaque().slice(0, 20);
    return (await this.insertFirstAdmin(await hashPassword(password))) === null ? null : password;
  }

  /** The local admin `admin`, when the store has no user yet (and no other node made it meanwhile). */
  private async insertFirstAdmin(passwordHash: string | null): Promise<User | null> {
    if ((await this.store.users.count()) > 0) return null;
    const now = this.clock.now();
    const admin = await this.store.users.insert(
      {
        id: newId(now),
        name: 'admin',
        displayName: 'Administrator',
        email: null,
        phone: null,
        source: 'local',
        passwordHash,
        admin: true,
      },
      now,
    );
    return admin === 'exists' ? null : admin;
  }
}
