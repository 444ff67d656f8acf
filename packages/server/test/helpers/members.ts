/** API calls the worker-group member tests share: groups, signed heartbeats, jobs and runs. */
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { TestCenter } from './center.js';
import { waitFor } from './wait.js';

export type MemberBody = {
  url: string;
  name: string | null;
  dynamic: boolean;
  healthy: boolean;
  lastSeenAt: string | null;
  runningCount: number;
  lastError: string | null;
  lastErrorAt: string | null;
};
export type GroupBody = { name: string; secret?: string; members: MemberBody[]; probe: unknown };
export type RunBody = { id: string; status: string; member: string | null; message: string | null };
export type ErrorBody = { error: { code: string; message: string; field?: string } };
export type HeartbeatAnswer = { status: number; body: Record<string, unknown> };

/** The X-JobCenter-Signature of `raw`, computed independently of the server's code. */
export function sign(secret: string, raw: string, tSec = Math.floor(Date.now() / 1000)): string {
  return `t=${tSec},v1=${createHmac('sha256', secret).update(`${tSec}.${raw}`).digest('hex')}`;
}

export function memberCalls(tc: () => TestCenter) {
  /** Group secrets from the 201 answers, by group name. */
  const secrets = new Map<string, string>();

  async function createGroup(body: Record<string, unknown>): Promise<GroupBody> {
    const res = await tc().api<GroupBody>('POST', '/api/v1/worker-groups', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    secrets.set(res.body.name, res.body.secret as string);
    return res.body;
  }

  /** A heartbeat as a worker sends it: no API token, the group's signature over the raw body. */
  async function heartbeat(
    group: string,
    body: unknown,
    options: { secret?: string; signature?: string | null; tSec?: number } = {},
  ): Promise<HeartbeatAnswer> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const secret = options.secret ?? secrets.get(group) ?? 'no-secret-for-this-group';
    const signature = options.signature === undefined ? sign(secret, raw, options.tSec) : options.signature;
    const res = await fetch(`${tc().url}/api/v1/worker-groups/${group}/heartbeat`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'x-jobcenter-signature': signature }),
      },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const readGroup = async (name: string) =>
    (await tc().api<GroupBody>('GET', `/api/v1/worker-groups/${name}`)).body;
  const member = async (group: string, url: string) =>
    (await readGroup(group)).members.find((m) => m.url === url);

  async function createJob(spec: Record<string, unknown>): Promise<string> {
    const res = await tc().api<{ name: string }>('POST', '/api/v1/jobs', {
      schedule: { cron: '0 0 1 1 *' },
      ...spec,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.name;
  }

  async function runNow(job: string): Promise<RunBody> {
    const res = await tc().api<RunBody>('POST', `/api/v1/jobs/${job}/trigger`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body;
  }

  /** Waits until the run has one of `statuses`. */
  const finished = (runId: string, statuses = ['succeeded', 'failed', 'lost']) =>
    waitFor(
      async () => {
        const run = (await tc().api<RunBody>('GET', `/api/v1/runs/${runId}`)).body;
        return statuses.includes(run.status) ? run : null;
      },
      `run ${runId} to reach ${statuses.join('/')}`,
    );

  return { secrets, createGroup, heartbeat, readGroup, member, createJob, runNow, finished };
}
