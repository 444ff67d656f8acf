/**
 * API authentication. Until the first token exists (JOBCENTER_BOOTSTRAP_TOKEN
 * or, later, accounts), the API is open and the server binds loopback by
 * default; once one exists, every API call needs `Authorization: Bearer`.
 * Health, metrics (configurable), worker callbacks (run tokens) and worker
 * heartbeats (group signature) are exempt.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import type { ApiContext } from './context.js';

/** Heartbeats carry the group's signature instead of a token. */
const HEARTBEAT = /^\/api\/v1\/worker-groups\/[^/]+\/heartbeat$/;

function exempt(url: string, ctx: ApiContext): boolean {
  const path = url.split('?')[0] ?? '';
  if (path === '/api/v1/healthz') return true;
  if (path === '/metrics') return ctx.publicMetrics;
  if (path.startsWith('/api/v1/callbacks/')) return true;
  if (HEARTBEAT.test(path)) return true;
  if (path.startsWith('/api/docs') || path === '/api/v1/openapi.json') return true;
  return !path.startsWith('/api/') && path !== '/metrics';
}

export function registerAuth(app: FastifyInstance, ctx: ApiContext): void {
  app.addHook('onRequest', async (request) => {
    if (!ctx.authRequired() || exempt(request.url, ctx)) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new ApiError('unauthorized', 'send Authorization: Bearer <api token>');
    const token = await ctx.store.settings.checkToken(match[1], ctx.clock.now());
    if (!token) throw new ApiError('unauthorized', 'the API token is not valid');
  });
}
