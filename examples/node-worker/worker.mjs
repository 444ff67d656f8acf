// A JobCenter worker with two jobs, on the @jobcenter/worker SDK.
//   JOBCENTER_SECRET=<the group's secret> PORT=9090 node worker.mjs
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorker } from '@jobcenter/worker';

const secret = process.env.JOBCENTER_SECRET;
if (!secret) {
  console.error(
    'worker.mjs: set JOBCENTER_SECRET to the worker group secret (shown when the group is created)',
  );
  process.exit(1);
}
const port = Number(process.env.PORT ?? 9090);
const host = process.env.HOST ?? '0.0.0.0';

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
      await ctx.log(`report: run ${ctx.runId}, ${steps} steps`);
      for (let step = 1; step <= steps; step++) {
        await sleep(500, undefined, { signal: ctx.signal }); // throws if JobCenter cancels the run
        await ctx.progress((100 * step) / steps, `step ${step} of ${steps}`);
        await ctx.log(`finished step ${step}`);
      }
      return { steps, rows: steps * 25 };
    },
  },
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
