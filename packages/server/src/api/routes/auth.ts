import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { MeView } from '../account-schemas.js';
import { meView } from '../account-views.js';
import { SESSION_COOKIE } from '../caller.js';
import type { ApiContext } from '../context.js';
import { callerOf } from '../guard.js';
import { ErrorBody } from '../schemas.js';

const SessionAnswer = Type.Object({ user: MeView, csrfToken: Type.String() });

export const authRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    function setCookie(reply: FastifyReply, value: string, maxAgeSec: number): void {
      reply.setCookie(SESSION_COOKIE, value, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secureCookies,
        maxAge: maxAgeSec,
      });
    }

    app.post(
      '/auth/login',
      {
        bodyLimit: 16 * 1024,
        schema: {
          tags: ['auth'],
          summary: 'Log in (local or directory user); sets the session cookie and answers the CSRF token',
          security: [],
          body: Type.Object(
            {
              username: Type.String({ minLength: 1, maxLength: 256 }),
              password: Type.String({ minLength: 1, maxLength: 1024 }),
            },
            { additionalProperties: false },
          ),
          response: {
            200: SessionAnswer,
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            429: ErrorBody,
            503: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { username, password } = request.body;
        const result = await ctx.login.login(
          username,
          password,
          request.ip || null,
          request.headers['user-agent'] ?? null,
        );
        setCookie(reply, result.cookie, Math.floor((result.session.expiresAt - ctx.clock.now()) / 1000));
        const access = await ctx.accounts.accessOf(result.user);
        const memberships = await ctx.store.users.memberships(result.user.id);
        return { user: meView(result.user, access, memberships), csrfToken: result.session.csrfToken };
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: {
          tags: ['auth'],
          summary: 'End the console session (idempotent for token callers: nothing to end)',
          response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        if (caller.session) {
          await ctx.accounts.endSession(caller.session);
          await ctx.audit.record(caller.actor, 'auth.logout', {
            type: 'user',
            name: caller.user.name,
            team: null,
          });
        }
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'Who is calling, with their teams and roles; the CSRF token of a console session',
          response: {
            200: Type.Object({ user: MeView, csrfToken: Type.Union([Type.String(), Type.Null()]) }),
            401: ErrorBody,
          },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const memberships = await ctx.store.users.memberships(caller.user.id);
        return {
          user: meView(caller.user, caller.access, memberships),
          csrfToken: caller.session?.csrfToken ?? null,
        };
      },
    );
  };
