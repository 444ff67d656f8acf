// A JobCenter worker with two jobs, on the @jobcenter/worker SDK.
//   JOBCENTER_SECRET=<the group's secret> PORT=9090 node worker.mjs
// Optional dynamic membership: JOBCENTER_SERVER=http://jobcenter:8080 JOBCENTER_GROUP=demo-workers
// WORKER_URL=http://<this host>:9090 announce the worker to its group every 10 s.
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorker, shardOf } from '@jobcenter/worker';

const secret = process.env.JOBCENTER_SECRET;
if (!secret) {
  console.error(
    'worker.mjs: set JOBCENTER_SECRET to the worker group secret (shown when the group is created)',
  );
  process.exit(1);
}
const port = Number(process.env.PORT ?? 9090);
const host = process.env.HOST ?? '0.0.0.0';
const { JOBCENTER_SERVER: server, JOBCENTER_GROUP: group, WORKER_URL: url } = process.env;

const worker = createWorker({
  secret,
  jobs: {
    // Sync: the answer to the trigger carries the result.
    '/jobs/hello': {
      mode: 'sync',
      handler: (ctx) => {
        const name = typeof ctx.params.name === 'string' ? ctx.params.name : 'world';
        console.log(`hello: run ${ctx.runId} attempt ${ctx.attempt} (${ctx.trigger})`);
        return { greeting: `hello, ${name}`, scheduledAt: ctx.scheduledAt };
      },
    },
    // Async (a bare function): 202 at once, then progress, log lines and the result by callback.
    '/jobs/report': async (ctx) => {
      const steps = Number(ctx.params.steps ?? 4);
      // A broadcast run: each member takes the rows of its own shard (all of them otherwise).
      const { index, total } = ctx.shard;
      const rows = Array.from({ length: steps * 25 }, (_, row) => row).filter(
        (row) => shardOf(row, total) === index,
      );
      await ctx.log(`report: run ${ctx.runId}, ${steps} steps, shard ${index + 1} of ${total}`);
      for (let step = 1; step <= steps; step++) {
        await sleep(500, undefined, { signal: ctx.signal }); // throws if JobCenter cancels the run
        await ctx.progress((100 * step) / steps, `step ${step} of ${steps}`);
        await ctx.log(`finished step ${step}`);
      }
      return { steps, rows: rows.length, shard: ctx.shard };
    },
  },
  ...(server && group && url ? { announce: { server, group, url } } : {}),
  onError: (error) => console.warn(`worker: ${error instanceof Error ? error.message : error}`),
});

await worker.listen(port, host);
console.log(`JobCenter worker listening on http://${host}:${port} (/jobs/hello, /jobs/report)`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.log(`${signal}: finishing in-flight runs (30 s at most)`);
    worker.close({ timeoutMs: 30_000 }).then(() => process.exit(0));
  });
}
