import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { iso } from '../../clock.js';
import type { FeedRun } from '../../store/run-feed-repo.js';
import type { ApiContext } from '../context.js';
import { visibleTeams } from '../guard.js';

/** Keeps proxies from closing an idle stream, ms. */
const PING_MS = 15_000;

function runEvent(run: FeedRun): string {
  const data = {
    ...run,
    scheduledAt: iso(run.scheduledAt),
    firedAt: iso(run.firedAt),
    finishedAt: iso(run.finishedAt),
  };
  return `event: run\nid: ${run.id}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const eventRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/events',
      {
        schema: {
          tags: ['runs'],
          summary:
            'Server-sent events: `event: run` whenever a run of your teams is created, changes status or progress, or ends',
          produces: ['text/event-stream'],
        },
      },
      async (request, reply) => {
        const teams = visibleTeams(request);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(': connected\n\n');
        const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
        const unsubscribe = ctx.runFeed.subscribe({
          teams,
          onRun: (run) => res.write(runEvent(run)),
          // Clients (and tests) may wait for this line: changes after it are all sent.
          onReady: () => res.write(': ready\n\n'),
          onStop: () => {
            clearInterval(ping);
            res.end();
          },
        });
        request.raw.once('close', () => {
          clearInterval(ping);
          unsubscribe();
        });
      },
    );
  };
