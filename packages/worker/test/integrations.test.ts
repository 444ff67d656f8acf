import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../src/index.js';
import {
  closeAllServers,
  NOW_MS,
  openServerCount,
  readText,
  send,
  startReceiver,
  startServer,
  trackServer,
  triggerBody,
} from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await closeAllServers();
  expect(openServerCount()).toBe(0);
});

function demoWorker(): Worker {
  const worker = createWorker({
    secret: 'whsec-test-3f9a1c',
    now: () => NOW_MS,
    onError: () => {},
    jobs: {
      '/jobs/hello': { mode: 'sync', handler: (ctx) => ({ hello: ctx.params.day }) },
      '/jobs/report': async (ctx) => {
        await ctx.progress(100, 'done');
        return { rows: 1 };
      },
    },
  });
  cleanups.push(() => worker.close({ timeoutMs: 2000 }));
  return worker;
}

type Middleware = (
  req: IncomingMessage & Record<string, unknown>,
  res: ServerResponse,
  next: () => void,
) => void;

/** Just enough of Express to run middleware in order (Express is not a dependency of this workspace). */
async function startConnectLike(stack: Middleware[]): Promise<string> {
  const { url } = await startServer((req, res) => {
    const run = (index: number) => {
      const layer = stack[index];
      if (!layer) {
        res.statusCode = 404;
        res.end('fallthrough');
        return;
      }
      layer(req as IncomingMessage & Record<string, unknown>, res, () => run(index + 1));
    };
    run(0);
  });
  return url;
}

/** Like express.json(), optionally with the `verify` hook that keeps the raw bytes. */
function jsonParser(keepRaw: boolean): Middleware {
  return (req, _res, next) => {
    if (req.method !== 'POST') return next();
    void readText(req).then((text) => {
      if (keepRaw) req.rawBody = Buffer.from(text);
      req.body = JSON.parse(text || '{}');
      req._body = true;
      next();
    });
  };
}

describe('Express middleware', () => {
  it('works mounted first, and passes other paths to next()', async () => {
    const receiver = await startReceiver();
    const url = await startConnectLike([demoWorker().middleware() as Middleware]);
    expect(await send(`${url}/jobs/hello`, triggerBody('01RUNA', receiver.url))).toEqual({
      status: 200,
      body: { status: 'succeeded', output: { hello: '2027-01-14' } },
    });
    const other = await fetch(`${url}/health`);
    expect([other.status, await other.text()]).toEqual([404, 'fallthrough']);
  });

  it('works after a JSON body parser that keeps the raw body', async () => {
    const receiver = await startReceiver();
    const url = await startConnectLike([jsonParser(true), demoWorker().middleware() as Middleware]);
    expect((await send(`${url}/jobs/report`, triggerBody('01RUNB', receiver.url))).status).toBe(202);
    const calls = await receiver.waitFor((c) => c.some((call) => call.path.endsWith('/result')));
    expect(calls.at(-1)?.body).toEqual({ status: 'succeeded', output: { rows: 1 } });
  });

  it('explains the fix when a parser consumed the body without keeping it', async () => {
    const receiver = await startReceiver();
    const url = await startConnectLike([jsonParser(false), demoWorker().middleware() as Middleware]);
    const answer = await send(`${url}/jobs/hello`, triggerBody('01RUNC', receiver.url));
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ error: { code: 'raw_body_unavailable' } });
    expect(JSON.stringify(answer.body)).toMatch(/before express\.json\(\)/);
  });
});

describe('Fastify plugin', () => {
  async function startFastify(
    worker: Worker,
    prefix?: string,
  ): Promise<{ app: FastifyInstance; url: string }> {
    const app = Fastify();
    await app.register(worker.fastifyPlugin, prefix ? { prefix } : {});
    // A route outside the plugin keeps Fastify's own JSON parser.
    app.post('/echo', async (request) => ({ parsed: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    return { app, url: trackServer(app.server) };
  }

  it('serves sync and async jobs under a prefix and leaves other routes alone', async () => {
    const receiver = await startReceiver();
    const { url } = await startFastify(demoWorker(), '/worker');
    expect(await send(`${url}/worker/jobs/hello`, triggerBody('01RUND', receiver.url))).toEqual({
      status: 200,
      body: { status: 'succeeded', output: { hello: '2027-01-14' } },
    });
    expect(
      await send(`${url}/worker/jobs/hello`, triggerBody('01RUNE', receiver.url), { secret: 'no' }),
    ).toMatchObject({ status: 401, body: { error: { code: 'signature_mismatch' } } });
    expect((await send(`${url}/worker/jobs/report`, triggerBody('01RUNF', receiver.url))).status).toBe(202);
    await receiver.waitFor((c) => c.some((call) => call.path.endsWith('/result')));
    expect(await send(`${url}/echo`, { a: 1 }, { unsigned: true })).toEqual({
      status: 200,
      body: { parsed: { a: 1 } },
    });
  });

  it('closes the worker, waiting for its runs, when the app closes', async () => {
    const receiver = await startReceiver();
    const worker = demoWorker();
    const { app, url } = await startFastify(worker);
    expect((await send(`${url}/jobs/report`, triggerBody('01RUNG', receiver.url))).status).toBe(202);
    await app.close();
    expect(receiver.calls.some((c) => c.path.endsWith('/result'))).toBe(true);
    expect(app.server.listening).toBe(false);
  });
});
