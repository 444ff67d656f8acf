import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleRoutes } from '../src/api/routes/console.js';

const apps: FastifyInstance[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An app with the console routes, an API route and the JSON 404 the real app answers. */
async function appWith(dir: string): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: { code: 'not_found' } }));
  app.get('/api/v1/healthz', async () => ({ ok: true }));
  await app.register(consoleRoutes({ version: '9.9.9', dir }));
  await app.ready();
  return app;
}

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobcenter-console-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  return dir;
}

const html = { accept: 'text/html,application/xhtml+xml' };

describe('console routes', () => {
  it('serves index.html at / and for console URLs, revalidated on every load', async () => {
    const app = await appWith(builtConsole());
    for (const url of ['/', '/jobs', '/jobs/billing.sweep?run=01ABC', '/admin/users']) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('caches hashed assets for good and serves other files', async () => {
    const app = await appWith(builtConsole());
    const asset = await app.inject({ url: '/assets/index-AbC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('serves assets of a console rebuilt while the server runs', async () => {
    const dir = builtConsole();
    const app = await appWith(dir);
    writeFileSync(join(dir, 'assets', 'index-NeW456.js'), 'console.log(2)');
    const res = await app.inject({ url: '/assets/index-NeW456.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('console.log(2)');
  });

  it('leaves the API, the metrics and non-page requests to the JSON 404', async () => {
    const app = await appWith(builtConsole());
    expect((await app.inject({ url: '/api/v1/healthz', headers: html })).json()).toEqual({ ok: true });
    for (const url of ['/api/v1/nope', '/api/docs/nope', '/metrics/x']) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found' } });
    }
    const script = await app.inject({ url: '/assets/missing.js', headers: { accept: '*/*' } });
    expect(script.statusCode).toBe(404);
    const json = await app.inject({ url: '/jobs', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(404);
  });

  it('says how to build the console when it was not built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobcenter-console-'));
    dirs.push(dir);
    const app = await appWith(dir);
    const res = await app.inject({ url: '/', headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build');
    expect(res.body).toContain('9.9.9');
  });
});
