/**
 * Who is calling. Every API request is authenticated here, before routing,
 * by an API token (`Authorization: Bearer`) or a console session cookie;
 * cookie-authenticated writes must also carry the session's CSRF token.
 * Exempt: health, metrics (configurable), login, worker callbacks (run
 * tokens), worker heartbeats (group signature), the OpenAPI document and
 * the console's static files.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Identity } from '../auth/accounts.js';
import type { Actor } from '../auth/audit.js';
import { sameSecret } from '../auth/secrets.js';
import { ApiError } from '../errors.js';
import type { Session } from '../store/sessions-repo.js';
import type { ApiToken } from '../store/tokens-repo.js';
import type { ApiContext } from './context.js';

/** The console's session cookie. */
export const SESSION_COOKIE = 'jobcenter_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Caller extends Identity {
  via: 'session' | 'token';
  session: Session | null;
  token: ApiToken | null;
  /** As the audit log records this caller. */
  actor: Actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

/** Heartbeats carry the group's signature instead of a token. */
const HEARTBEAT = /^\/api\/v1\/worker-groups\/[^/]+\/heartbeat$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function exempt(path: string, ctx: ApiContext): boolean {
  if (path === '/api/v1/healthz' || path === '/api/v1/auth/login') return true;
  if (path === '/metrics') return ctx.publicMetrics;
  if (path.startsWith('/api/v1/callbacks/') || HEARTBEAT.test(path)) return true;
  if (path === '/api/docs' || path.startsWith('/api/docs/') || path === '/api/v1/openapi.json') return true;
  return !path.startsWith('/api/') && path !== '/metrics';
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new ApiError('unauthorized', 'Authorization must read "Bearer <api token>"');
  return match[1];
}

async function identify(request: FastifyRequest, ctx: ApiContext): Promise<Caller> {
  const ip = request.ip || null;
  const tokenValue = bearer(request);
  if (tokenValue !== null) {
    const found = await ctx.accounts.identifyToken(tokenValue);
    if (!found) throw new ApiError('unauthorized', 'the API token is not valid: unknown, revoked or expired');
    return {
      ...found,
      via: 'token',
      session: null,
      actor: { name: found.user.name, kind: 'token', tokenId: found.token.id, ip },
    };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) {
    throw new ApiError(
      'unauthorized',
      'log in (POST /api/v1/auth/login) or send Authorization: Bearer <api token>',
    );
  }
  const found = await ctx.accounts.identifySession(cookie);
  if (found === 'expired') throw new ApiError('session_expired');
  if (!found) throw new ApiError('unauthorized', 'the session is not valid: log in again');
  // Cookies travel with cross-site requests; the CSRF token only with the console's own.
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, found.session.csrfToken))
      throw new ApiError('csrf_failed');
  }
  return {
    ...found,
    via: 'session',
    token: null,
    actor: { name: found.user.name, kind: 'user', tokenId: null, ip },
  };
}

export function registerCaller(app: FastifyInstance, ctx: ApiContext): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    // The matched route's pattern, not the raw URL: the router decodes `/%61pi/…` to
    // `/api/…`, so the raw text would let an encoded path skip authentication.
    const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
    if (exempt(path, ctx)) return;
    request.caller = await identify(request, ctx);
  });
}

/** The authenticated caller of a guarded route. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new ApiError('unauthorized');
  return request.caller;
}
