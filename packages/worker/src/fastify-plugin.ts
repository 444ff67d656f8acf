import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { finished } from 'node:stream';
import type { WorkerCore } from './worker-core.js';

/**
 * The slice of a Fastify (v4 or v5) instance the plugin uses, so the SDK does
 * not depend on Fastify. Method syntax keeps a real `FastifyInstance`
 * assignable.
 */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit?: number },
    parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: unknown) => void) => void,
  ): unknown;
  route(options: {
    method: 'POST' | Array<'GET' | 'POST'>;
    url: string;
    exposeHeadRoutes?: boolean;
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;
  }): unknown;
}

/**
 * `addHook` is kept out of {@link FastifyInstanceLike}: its dozens of overloads
 * defeat structural matching, so it is reached through this narrow view.
 */
interface OnCloseHookable {
  addHook?(name: 'onClose', hook: () => Promise<void>): unknown;
}

/** The slice of a Fastify request the plugin reads. */
export interface FastifyRequestLike {
  method: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
}

/** The slice of a Fastify reply the plugin writes. */
export interface FastifyReplyLike {
  raw: ServerResponse;
  code(statusCode: number): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/** A Fastify plugin: `app.register(worker.fastifyPlugin, { prefix? })`. */
export type WorkerFastifyPlugin = (instance: FastifyInstanceLike, options: unknown) => Promise<void>;

/**
 * Builds the plugin. Inside its own encapsulated context it replaces every
 * body parser with one that keeps the raw bytes (the signature covers them),
 * so the rest of the app keeps Fastify's JSON parser. It registers, per job,
 * `GET|POST {path}` and `POST {path}/cancel`, and closes the worker (waiting
 * for in-flight runs) when the app closes.
 */
export function createFastifyPlugin(
  core: WorkerCore,
  maxBodyBytes: number,
  close: () => Promise<void>,
): WorkerFastifyPlugin {
  return async (fastify) => {
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: maxBodyBytes },
      (_request, body, done) => {
        done(null, body);
      },
    );
    for (const route of core.routes.values()) {
      fastify.route({
        method: route.kind === 'cancel' ? 'POST' : ['GET', 'POST'],
        url: route.kind === 'cancel' ? `${route.path}/cancel` : route.path,
        // JobCenter never sends HEAD; an auto HEAD route would run the job.
        exposeHeadRoutes: false,
        handler: async (request, reply) => {
          const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const answer = await core.dispatch(route, {
            method: request.method,
            headers: request.headers,
            rawBody,
          });
          const { afterResponse } = answer;
          if (afterResponse) finished(reply.raw, (error) => afterResponse(!error));
          return reply.code(answer.status).send(answer.body);
        },
      });
    }
    (fastify as OnCloseHookable).addHook?.('onClose', async () => {
      await close();
    });
  };
}
