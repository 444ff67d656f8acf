/**
 * The web console at `/`: the files `packages/web` builds into
 * `dist/console` (the workspace build does it; `serve` never builds).
 * Hashed assets are cached for good, `index.html` is revalidated on every
 * load, and any other GET for a page (not the API, the metrics or the API
 * reference) answers `index.html`, so the console's own URLs can be shared
 * and reloaded.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where the build puts the console. Resolved from this file, which is
 * `src/api/routes/console.ts` in tests and `dist/api/routes/console.js` once
 * built: three levels up is the server package either way.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

/** Vite names built assets `assets/<name>-<hash>.<ext>`: their content never changes under a name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT = (version: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>JobCenter</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>JobCenter ${version}</h1>
<p>The scheduler and the API are running, but the web console was not built.
Run <code>npm run build</code> at the repository root, then start the server again.</p>
<p><a href="/api/docs">API reference</a> · <a href="/api/v1/healthz">health</a></p>
</body></html>`;

/** One file name at the top of the build, nothing that climbs out of it. */
const TOP_FILE = /^[\w-][\w.-]*$/;

/** Paths that belong to the server itself: an unknown one there is a JSON 404, never the console. */
function isServerPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/metrics' || path.startsWith('/metrics/');
}

function wantsPage(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

export interface ConsoleOptions {
  version: string;
  /** The built console; default `DEFAULT_CONSOLE_DIR`. */
  dir?: string;
}

export const consoleRoutes =
  ({ version, dir = DEFAULT_CONSOLE_DIR }: ConsoleOptions): FastifyPluginAsync =>
  async (app) => {
    const built = existsSync(`${dir}/index.html`);
    if (!built) {
      app.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT(version)),
      );
      return;
    }

    // Assets by wildcard, so a console rebuilt under a running server is served as it is now.
    await app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      index: false,
      schemaHide: true,
      // Our own cache-control, not send's `max-age=0`.
      cacheControl: false,
      setHeaders(res) {
        res.setHeader('cache-control', IMMUTABLE);
      },
    });

    const sendIndex = (reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html', dir);

    app.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (isServerPath(path)) return reply.callNotFound();
      // A file at the top of the build (favicon.svg): its name has no hash, so it is revalidated.
      const file = path.slice(1);
      if (TOP_FILE.test(file) && existsSync(join(dir, file))) {
        return reply.header('cache-control', 'no-cache').sendFile(file, dir);
      }
      if (!wantsPage(request)) return reply.callNotFound();
      return sendIndex(reply);
    });
  };
