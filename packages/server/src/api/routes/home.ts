/** The root page: where to go from here, until the web console is served at `/`. */
import type { FastifyPluginAsync } from 'fastify';

const PAGE = (version: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>JobCenter</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}a{color:#0969da}</style></head>
<body><h1>JobCenter ${version}</h1>
<p>The scheduler is running. Start here:</p>
<ul>
<li><a href="/api/docs">API reference</a> (interactive) and the <a href="/api/v1/openapi.json">OpenAPI document</a></li>
<li><a href="/api/v1/overview">Overview</a>: jobs, runs of the last 24 hours, what is running, recent failures</li>
<li><a href="/api/v1/jobs">Jobs</a> with their next fire and last run</li>
<li><a href="/api/v1/healthz">Health</a> and <a href="/metrics">Prometheus metrics</a></li>
</ul>
<p>Register a worker group and a job with <code>curl</code>: see the README's walkthrough.</p>
</body></html>`;

export const homeRoutes =
  (version: string): FastifyPluginAsync =>
  async (app) => {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(PAGE(version)),
    );
  };
