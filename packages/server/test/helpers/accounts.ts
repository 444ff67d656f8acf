/**
 * Accounts through the API, as the console and scripts use them: users with
 * passwords (created by the admin), team roles, logins that answer a
 * cookie-jar client, and API tokens.
 */
import { expect } from 'vitest';
import { type Api, apiClient, type TestCenter } from './center.js';

/** A password every test user gets unless told otherwise (at least 10 characters). */
export const PASSWORD = 'correct-horse-battery-7';

export type Role = 'viewer' | 'operator' | 'editor' | 'owner';
export type ErrorBody = { error: { code: string; message: string; field?: string } };
export type MeBody = {
  user: {
    id: string;
    name: string;
    admin: boolean;
    teams: { team: string; role: Role }[];
    memberships: { team: string; role: Role; source: string }[];
  };
  csrfToken: string | null;
};
export type TokenBody = {
  id: string;
  name: string;
  user: string;
  scope: { admin: boolean; teams: { team: string; role: Role }[] } | null;
  status: 'active' | 'revoked' | 'expired';
  expiresAt: string | null;
  lastUsedAt: string | null;
  token?: string;
};

/** A logged-in console session: an API client that sends the cookie and the CSRF token. */
export interface Session {
  api: Api;
  /** The same session without the X-CSRF-Token header. */
  apiWithoutCsrf: Api;
  cookie: string;
  csrfToken: string;
  me: MeBody['user'];
}

export async function createTeam(tc: TestCenter, name: string): Promise<void> {
  const res = await tc.api('POST', '/api/v1/teams', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Creates a local user through the admin API. */
export async function createUser(
  tc: TestCenter,
  name: string,
  options: { password?: string; admin?: boolean } = {},
): Promise<void> {
  const res = await tc.api('POST', '/api/v1/users', {
    name,
    password: options.password ?? PASSWORD,
    ...(options.admin ? { admin: true } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Gives `user` `role` in `team` (as the admin, unless `api` says who asks). */
export async function grantRole(
  tc: TestCenter,
  team: string,
  user: string,
  role: Role,
  api: Api = tc.api,
): Promise<void> {
  const res = await api('PUT', `/api/v1/teams/${team}/members/${user}`, { role });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export async function revokeRole(tc: TestCenter, team: string, user: string): Promise<void> {
  const res = await tc.api('DELETE', `/api/v1/teams/${team}/members/${user}`);
  expect(res.status, JSON.stringify(res.body)).toBe(204);
}

/** A user with a password and the given roles. */
export async function createMember(
  tc: TestCenter,
  name: string,
  roles: Record<string, Role> = {},
  options: { password?: string; admin?: boolean } = {},
): Promise<void> {
  await createUser(tc, name, options);
  for (const [team, role] of Object.entries(roles)) await grantRole(tc, team, name, role);
}

/** POST /auth/login as it is: status, body and the session cookie when one was set. */
export async function tryLogin(
  tc: TestCenter,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; cookie: string | null; setCookie: string[] }> {
  const res = await fetch(`${tc.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
  const setCookie = res.headers.getSetCookie();
  const cookie = setCookie.map((c) => /^jobcenter_session=([^;]*)/.exec(c)?.[1]).find(Boolean) ?? null;
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie, setCookie };
}

/** Logs in and answers the session's client; fails the test unless the login succeeds. */
export async function login(
  tc: TestCenter,
  username: string,
  password = PASSWORD,
  headers: Record<string, string> = {},
): Promise<Session> {
  const res = await tryLogin(tc, username, password, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.cookie, 'the session cookie').toBeTruthy();
  const { user, csrfToken } = res.body as { user: MeBody['user']; csrfToken: string };
  return sessionOf(tc, res.cookie as string, csrfToken, user);
}

export function sessionOf(tc: TestCenter, cookie: string, csrfToken: string, me: MeBody['user']): Session {
  const cookieHeader = { cookie: `jobcenter_session=${cookie}` };
  return {
    api: apiClient(tc.url, { ...cookieHeader, 'x-csrf-token': csrfToken }),
    apiWithoutCsrf: apiClient(tc.url, cookieHeader),
    cookie,
    csrfToken,
    me,
  };
}

/** Creates an API token with `api` (a session or token client); answers its id, value and client. */
export async function createToken(
  tc: TestCenter,
  api: Api,
  body: { name: string; scope?: unknown; expiresAt?: string | null },
): Promise<{ id: string; token: string; api: Api; body: TokenBody }> {
  const res = await api<TokenBody>('POST', '/api/v1/tokens', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const token = res.body.token as string;
  return { id: res.body.id, token, api: tokenClient(tc, token), body: res.body };
}

export function tokenClient(tc: TestCenter, token: string): Api {
  return apiClient(tc.url, { authorization: `Bearer ${token}` });
}

/** A client that sends no credentials at all. */
export function anonymous(tc: TestCenter): Api {
  return apiClient(tc.url);
}

/** Asserts an error answer's status and code. */
export function expectError(res: { status: number; body: unknown }, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect((res.body as ErrorBody).error?.code, JSON.stringify(res.body)).toBe(code);
}
