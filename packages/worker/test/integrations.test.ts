import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../src/index.js';
import {
  guardEachTest,
  NOW_MS,
  send,
  startReceiver,
  startServer,
  trackServer,
  triggerBody,
} from './helpers.js';

const cleanups = guardEachTest();

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

/** A real Express app with the given middleware before the worker, and a fallthrough 404. */
async function startExpress(before: express.RequestHandler[], worker: Worker): Promise<string> {
  const app = express();
  for (const handler of before) app.use(handler);
  app.use(worker.middleware() as express.RequestHandler);
  app.use((_req, res) => {
    res.status(404).send('fallthrough');
  });
  const { url } = await startServer(app);
  return url;
}

describe('Express middleware (real Express)', () => {
  it('works mounted first, and passes other paths to next()', async () => {
    const receiver = await startReceiver();
    const url = await startExpress([], demoWorker());
    expect(await send(`${url}/jobs/hello`, triggerBody('01RUNA', receiver.url))).toEqual({
      status: 200,
      body: { status: 'succeeded', output: { hello: '2027-01-14' } },
    });
    const other = await fetch(`${url}/health`);
    expect([other.status, await other.text()]).toEqual([404, 'fallthrough']);
  });

  it('works after express.json() with a verify hook that keeps the raw body', async () => {
    const receiver = await startReceiver();
    const keepRaw = express.json({
      verify: (req, _res, buf) => {
        (req as unknown as { rawBody: Buffer }).rawBody = Buffer.from(buf);
      },
    });
    const url = await startExpress([keepRaw], demoWorker());
    expect((await send(`${url}/jobs/report`, triggerBody('01RUNB', receiver.url))).status).toBe(202);
    const calls = await receiver.waitFor((c) => c.some((call) => call.path.endsWith('/result')));
    expect(calls.at(-1)?.body).toEqual({ status: 'succeeded', output: { rows: 1 } });
  });

  it('explains the fix when express.json() consumed the body without keeping it', async () => {
    const receiver = await startReceiver();
    const url = await startExpress([express.json()], demoWorker());
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
