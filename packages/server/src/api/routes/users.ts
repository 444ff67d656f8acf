import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { checkContact } from '../../auth/accounts.js';
import { verifyPassword } from '../../auth/passwords.js';
import type { User } from '../../domain/user.js';
import { ApiError, invalid } from '../../errors.js';
import { PasswordInput, UserCreateInput, UserPatchInput, UserView } from '../account-schemas.js';
import { userView } from '../account-views.js';
import type { ApiContext } from '../context.js';
import { callerOf, requireAdmin } from '../guard.js';
import { ErrorBody, ListQuery, listOf } from '../schemas.js';

const UserParam = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 128, description: 'User name or id' }),
});
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const userRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** Admins and the user themself see contact details and rights. */
    const seesAll = (request: FastifyRequest, user: User) => {
      const caller = callerOf(request);
      return caller.access.admin || caller.user.id === user.id;
    };
    const snapshot = (user: User) => userView(user, true);

    app.get(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'List users (contact details for admins only)',
          querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 128 })), ...ListQuery }),
          response: { 200: listOf(UserView), 400: ErrorBody },
        },
      },
      async (request) => {
        const { q, limit = 50, cursor } = request.query;
        const page = await ctx.store.users.list(limit, cursor, q);
        if (page === 'bad_cursor')
          throw new ApiError('invalid_cursor', 'cursor: not a cursor of this list', 'cursor');
        return {
          items: page.users.map((u) => userView(u, seesAll(request, u))),
          nextCursor: page.nextCursor,
        };
      },
    );

    app.post(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Create a local user (admins)',
          body: UserCreateInput,
          response: { 201: UserView, ...errors },
        },
      },
      async (request, reply) => {
        const caller = requireAdmin(request, 'creating a user');
        const user = await ctx.accounts.createUser(request.body);
        await ctx.audit.record(
          caller.actor,
          'user.create',
          { type: 'user', name: user.name, team: null },
          {
            after: snapshot(user),
          },
        );
        return reply.status(201).send(userView(user, true, []));
      },
    );

    app.get(
      '/users/:user',
      {
        schema: {
          tags: ['users'],
          summary: 'Read a user (contact details and roles for admins and the user themself)',
          params: UserParam,
          response: { 200: UserView, 404: ErrorBody },
        },
      },
      async (request) => {
        const user = await ctx.accounts.getUser(request.params.user);
        const full = seesAll(request, user);
        return userView(user, full, full ? await ctx.store.users.memberships(user.id) : undefined);
      },
    );

    app.patch(
      '/users/:user',
      {
        schema: {
          tags: ['users'],
          summary: 'Change a profile (yourself), or admin and disabled flags (admins)',
          params: UserParam,
          body: UserPatchInput,
          response: { 200: UserView, ...errors },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const user = await ctx.accounts.getUser(request.params.user);
        const body = request.body;
        if (!caller.access.admin) {
          if (caller.user.id !== user.id)
            throw new ApiError('forbidden', 'changing another user needs the admin role');
          if (body.admin !== undefined || body.disabled !== undefined) {
            throw new ApiError('forbidden', 'changing the admin or disabled flag needs the admin role');
          }
        }
        if (body.disabled === true && user.id === caller.user.id) {
          throw invalid('disabled', 'you cannot disable yourself');
        }
        checkContact(body);
        let updated = await ctx.store.users.update(
          user.id,
          { displayName: body.displayName, email: body.email, phone: body.phone, admin: body.admin },
          ctx.clock.now(),
        );
        if (body.disabled !== undefined && updated)
          updated = await ctx.accounts.setDisabled(updated, body.disabled);
        if (!updated) throw new ApiError('user_not_found');
        await ctx.audit.record(
          caller.actor,
          'user.update',
          { type: 'user', name: user.name, team: null },
          {
            before: snapshot(user),
            after: snapshot(updated),
          },
        );
        return userView(updated, true, await ctx.store.users.memberships(updated.id));
      },
    );

    app.put(
      '/users/:user/password',
      {
        schema: {
          tags: ['users'],
          summary:
            "Set a local user's password (yourself with the current one, or admins); ends the user's sessions",
          params: UserParam,
          body: PasswordInput,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        const user = await ctx.accounts.getUser(request.params.user);
        const self = caller.user.id === user.id;
        if (!self && !caller.access.admin) {
          throw new ApiError('forbidden', "setting another user's password needs the admin role");
        }
        if (self && !caller.access.admin) {
          const found = await ctx.store.users.findForLogin(user.name);
          const current = request.body.currentPassword ?? '';
          if (!found?.passwordHash || !(await verifyPassword(current, found.passwordHash))) {
            throw invalid('currentPassword', 'is not your current password');
          }
        }
        await ctx.accounts.setPassword(user, request.body.password);
        await ctx.audit.record(caller.actor, 'user.password', { type: 'user', name: user.name, team: null });
        return reply.status(204).send(null);
      },
    );
  };
