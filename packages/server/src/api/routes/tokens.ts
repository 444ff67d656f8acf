import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { iso } from '../../clock.js';
import { ApiError } from '../../errors.js';
import { TokenInput, TokenView } from '../account-schemas.js';
import { tokenView } from '../account-views.js';
import type { ApiContext } from '../context.js';
import { callerOf } from '../guard.js';
import { ErrorBody } from '../schemas.js';
import { parseTime } from './jobs.js';

const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export const tokenRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: "Your API tokens; admins may ask for one user's (user=) or everyone's (all=true)",
          querystring: Type.Object({
            user: Type.Optional(Type.String({ maxLength: 128 })),
            all: Type.Optional(Type.Boolean()),
          }),
          response: {
            200: Type.Object({ items: Type.Array(TokenView), nextCursor: Type.Null() }),
            ...errors,
          },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const { user, all } = request.query;
        if ((user !== undefined && user !== caller.user.name) || all) {
          if (!caller.access.admin)
            throw new ApiError('forbidden', "listing other users' tokens needs the admin role");
        }
        const owner = all ? null : user === undefined ? caller.user : await ctx.accounts.getUser(user);
        const tokens = await ctx.store.tokens.list(owner?.id ?? null);
        const names = new Map<string, string>();
        for (const t of tokens) {
          if (!names.has(t.userId)) names.set(t.userId, (await ctx.store.users.find(t.userId))?.name ?? '?');
        }
        const now = ctx.clock.now();
        return { items: tokens.map((t) => tokenView(t, names.get(t.userId) ?? '?', now)), nextCursor: null };
      },
    );

    app.post(
      '/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Create an API token for yourself; its value is in this answer only',
          body: TokenInput,
          response: { 201: TokenView, ...errors },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        const { name, expiresAt, scope } = request.body;
        // A token made with a token can be no wider than the token it was made with.
        const requested =
          scope == null
            ? caller.via === 'token' && caller.token?.scope
              ? caller.token.scope
              : null
            : { admin: scope.admin ?? false, teams: scope.teams ?? [] };
        // Nor outlive it: an expiring token must not mint a lasting one.
        const expires = parseTime(expiresAt ?? undefined, 'expiresAt') ?? null;
        const limit = caller.via === 'token' ? (caller.token?.expiresAt ?? null) : null;
        if (limit !== null && (expires === null || expires > limit)) {
          throw new ApiError(
            'forbidden',
            `expiresAt: the token you call with expires at ${iso(limit)}: a token made with it must expire by then`,
            'expiresAt',
          );
        }
        const created = await ctx.accounts.createToken(
          caller.user,
          { name, scope: requested, expiresAt: expires },
          caller.via === 'token' ? caller.access : undefined,
        );
        await ctx.audit.record(
          caller.actor,
          'token.create',
          { type: 'token', name: created.record.id, team: null },
          {
            name,
            scope: requested,
            expiresAt: expiresAt ?? null,
          },
        );
        return reply
          .status(201)
          .send({ ...tokenView(created.record, caller.user.name, ctx.clock.now()), token: created.token });
      },
    );

    app.delete(
      '/tokens/:id',
      {
        schema: {
          tags: ['tokens'],
          summary: "Revoke an API token (yours; admins: anyone's); it stops working at once",
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        const token = await ctx.store.tokens.find(request.params.id);
        const hidden = new ApiError('token_not_found', `no API token with id ${request.params.id}`);
        if (!token) throw hidden;
        if (token.userId !== caller.user.id && !caller.access.admin) throw hidden;
        await ctx.store.tokens.revoke(token.id, ctx.clock.now());
        await ctx.audit.record(
          caller.actor,
          'token.revoke',
          { type: 'token', name: token.id, team: null },
          {
            name: token.name,
          },
        );
        return reply.status(204).send(null);
      },
    );
  };
