/**
 * The example executors, run as they are, against a real JobCenter: the
 * Node one on the @jobcenter/worker SDK and the Python one (standard library).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCenter, type TestCenter } from './helpers/center.js';
import { guardProcesses } from './helpers/guard.js';
import { freePort } from './helpers/ports.js';
import { startProgram } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

guardProcesses();

const NODE_WORKER = fileURLToPath(new URL('../../../examples/node-worker/worker.mjs', import.meta.url));
const PYTHON_WORKER = fileURLToPath(new URL('../../../examples/python-worker/worker.py', import.meta.url));

type Run = {
  id: string;
  status: string;
  notifyStatus: string;
  output: unknown;
  message: string | null;
  progress: number | null;
  attempts: { httpStatus: number | null; error: string | null }[];
  events: { progress: number | null; message: string | null; log: string[] }[];
};

const examples = [
  ['node', process.execPath, NODE_WORKER],
  ['python', 'python3', PYTHON_WORKER],
] as const;

describe.each(examples)('the %s example worker against JobCenter (sqlite)', (kind, command, script) => {
  let tc: TestCenter;

  beforeAll(async () => {
    tc = await startCenter('sqlite');
  });
  afterAll(() => tc?.close());

  it('runs sync and async jobs, signed with the group secret, and refuses a wrong secret', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const group = await tc.api<{ secret: string }>('POST', '/api/v1/worker-groups', {
      name: `${kind}-workers`,
      members: [{ url }],
    });
    const worker = await startProgram(
      command,
      [script],
      { JOBCENTER_SECRET: group.body.secret, PORT: String(port), HOST: '127.0.0.1' },
      /listening/i,
      url,
    );
    const job = async (name: string, path: string) =>
      expect(
        (
          await tc.api('POST', '/api/v1/jobs', {
            name,
            schedule: { cron: '0 0 1 1 *' },
            target: { group: `${kind}-workers`, path },
          })
        ).status,
      ).toBe(201);
    await job(`${kind}.hello`, '/jobs/hello');
    await job(`${kind}.report`, '/jobs/report');
    const trigger = async (name: string, params: Record<string, unknown>) =>
      (await tc.api<{ id: string }>('POST', `/api/v1/jobs/${name}/trigger`, { params })).body.id;
    const finished = (id: string) =>
      waitFor(async () => {
        const run = (await tc.api<Run>('GET', `/api/v1/runs/${id}`)).body;
        return ['pending', 'running'].includes(run.status) ? undefined : run;
      }, `run ${id} to finish`);

    const hello = await finished(await trigger(`${kind}.hello`, { name: 'ops' }));
    expect(hello).toMatchObject({ status: 'succeeded', notifyStatus: 'delivered' });
    expect(JSON.stringify(hello.output)).toContain('hello, ops');

    const report = await finished(await trigger(`${kind}.report`, { steps: 2 }));
    expect(report).toMatchObject({ status: 'succeeded', notifyStatus: 'delivered' });
    expect(report.attempts[0]?.httpStatus).toBe(202);
    expect(report.events.some((e) => e.progress === 100)).toBe(true);
    expect(report.events.flatMap((e) => e.log).join('\n')).toMatch(/step 2/);

    // The same worker under a group with another secret: the worker refuses the trigger.
    await tc.api('POST', '/api/v1/worker-groups', { name: `${kind}-impostor`, members: [{ url }] });
    expect(
      (
        await tc.api('POST', '/api/v1/jobs', {
          name: `${kind}.stolen`,
          schedule: { cron: '0 0 1 1 *' },
          target: { group: `${kind}-impostor`, path: '/jobs/hello' },
        })
      ).status,
    ).toBe(201);
    const stolen = await finished(await trigger(`${kind}.stolen`, {}));
    expect(stolen).toMatchObject({ status: 'failed', notifyStatus: 'failed' });
    expect(stolen.attempts[0]?.httpStatus).toBe(401);
    await worker.stop();
  });
});
