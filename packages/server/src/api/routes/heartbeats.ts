/**
 * Worker heartbeats (PROTOCOL.md §5): `POST /worker-groups/{name}/heartbeat`
 * `{url, name?}`, signed with the group's secret like a trigger. Answers, in
 * this order: 404 unknown group, 401 signature (missing, malformed, not
 * matching, stale), 400 body, 200.
 *
 * The signature covers the raw bytes, so this route has its own JSON parser
 * (content-type parsers are scoped to this plugin) that keeps them, and a
 * body that is not JSON is reported only after the signature is checked.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { iso } from '../../clock.js';
import { invalid } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { signatureProblem } from '../group-signature.js';
import { ErrorBody, HeartbeatInput, HeartbeatView } from '../schemas.js';

/** Largest heartbeat body, bytes: a URL and a name. */
const HEARTBEAT_BODY_LIMIT = 16_384;
const EMPTY = Buffer.alloc(0);

const GroupParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) });
/** Documents the header; its absence is answered by the signature check (401), not by validation. */
const SignatureHeader = Type.Object({
  'x-jobcenter-signature': Type.Optional(
    Type.String({ description: 't=<unix seconds>,v1=<hex HMAC-SHA256(group secret, "<t>.<raw body>")>' }),
  ),
});

export const heartbeatRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const rawBodies = new WeakMap<FastifyRequest, Buffer>();
    const notJson = new WeakSet<FastifyRequest>();
    const groupIds = new WeakMap<FastifyRequest, string>();

    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      const raw = body as Buffer;
      rawBodies.set(request, raw);
      if (raw.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(raw.toString('utf8')));
      } catch {
        notJson.add(request);
        done(null, undefined);
      }
    });

    app.post(
      '/worker-groups/:name/heartbeat',
      {
        bodyLimit: HEARTBEAT_BODY_LIMIT,
        schema: {
          tags: ['worker-groups'],
          summary: 'A worker announces itself (dynamic membership); signed with the group secret',
          description:
            'Header X-JobCenter-Signature: t=<unix s>,v1=<hex HMAC-SHA256(group secret, "<t>.<raw body>")>. ' +
            'An unknown URL joins the group as a dynamic member until it is silent for memberExpiryMs; ' +
            'a listed member is only marked seen.',
          security: [],
          params: GroupParam,
          headers: SignatureHeader,
          body: HeartbeatInput,
          response: { 200: HeartbeatView, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
        // Before body validation: an unsigned caller learns nothing about the body's shape.
        preValidation: async (request) => {
          const { name } = request.params as { name: string };
          const key = await ctx.groups.signingKey(name);
          const problem = signatureProblem(
            key.secret,
            request.headers['x-jobcenter-signature'],
            rawBodies.get(request) ?? EMPTY,
            ctx.clock.now(),
          );
          if (problem) throw problem;
          if (notJson.has(request)) throw invalid('body', 'not valid JSON');
          groupIds.set(request, key.id);
        },
      },
      async (request) => {
        const group = { id: groupIds.get(request) ?? '', name: request.params.name };
        const receipt = await ctx.groups.heartbeat(group, request.body);
        return {
          group: group.name,
          url: receipt.url,
          dynamic: receipt.dynamic,
          lastSeenAt: iso(receipt.lastSeenAt),
          expiresAt: iso(receipt.expiresAt),
        };
      },
    );
  };
