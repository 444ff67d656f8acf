/**
 * Team boundaries beyond the matrix, on both dialects: another team's
 * things answer exactly like missing ones, lists and counts hold only the
 * caller's teams, a job may target only a group its editor may edit, and a
 * deleted job's runs stay with its team.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, type ErrorBody, login } from './helpers/accounts.js';
import {
  A,
  B,
  GROUP_A,
  GROUP_B,
  jobSpec,
  type RoleName,
  setUpTeams,
  type Target,
} from './helpers/authz-fixture.js';
import { type Api, startCenter, type TestCenter } from './helpers/center.js';
import { dialects } from './helpers/databases.js';
import { guardProcesses } from './helpers/guard.js';

const DIALECTS = await dialects();

describe.each(DIALECTS)('team boundaries on %s', (dialect) => {
  guardProcesses();
  let tc: TestCenter;
  let target: Target;
  let clients: Record<RoleName, Api>;

  beforeAll(async () => {
    tc = await startCenter(dialect);
    ({ clients, target } = await setUpTeams(tc));
  });
  afterAll(() => tc?.close());

  it('answers a team-B viewer the same 404 for team A things as for things that do not exist', async () => {
    const viewerB = clients['viewer of B only'];
    const missingId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const pairs: [string, string, string][] = [
      ['GET', `/api/v1/jobs/${target.job.id}`, `/api/v1/jobs/${missingId}`],
      ['GET', `/api/v1/jobs/${target.job.name}`, '/api/v1/jobs/alpha.nothing'],
      ['GET', `/api/v1/jobs/${target.job.name}/runs`, '/api/v1/jobs/alpha.nothing/runs'],
      ['GET', `/api/v1/jobs/${target.job.id}/trend`, `/api/v1/jobs/${missingId}/trend`],
      ['GET', `/api/v1/runs/${target.run}`, `/api/v1/runs/${missingId}`],
      ['POST', `/api/v1/runs/${target.run}/cancel`, `/api/v1/runs/${missingId}/cancel`],
      ['GET', `/api/v1/worker-groups/${GROUP_A}`, '/api/v1/worker-groups/nothing-here'],
      ['GET', `/api/v1/teams/${A}`, '/api/v1/teams/nothing-here'],
    ];
    for (const [method, real, missing] of pairs) {
      const [a, b] = [await viewerB(method, real), await viewerB(method, missing)];
      expect(a.status, `${method} ${real}`).toBe(404);
      expect(b.status, `${method} ${missing}`).toBe(404);
      expect((a.body as ErrorBody).error.code).toBe((b.body as ErrorBody).error.code);
    }
  });

  it('lets a job target only a group of a team the caller edits, on create and on edit', async () => {
    await createMember(tc, 'edit-a-view-b', { [A]: 'editor', [B]: 'viewer' });
    await createMember(tc, 'edit-ab', { [A]: 'editor', [B]: 'editor' });
    const [readsB, editsB] = [(await login(tc, 'edit-a-view-b')).api, (await login(tc, 'edit-ab')).api];
    const cross = (name: string, path = '/x') => jobSpec(name, { target: { group: GROUP_B, path } });

    const hidden = await clients.editor('POST', '/api/v1/jobs', cross('alpha.cross-1'));
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(400);
    expect((hidden.body as ErrorBody).error).toMatchObject({
      code: 'validation_error',
      field: 'target.group',
    });
    const seen = await readsB('POST', '/api/v1/jobs', cross('alpha.cross-2'));
    expect(seen.status, JSON.stringify(seen.body)).toBe(403);
    expect((seen.body as ErrorBody).error).toMatchObject({ code: 'forbidden', field: 'target.group' });
    expect((await editsB('POST', '/api/v1/jobs', cross('alpha.cross-3'))).status).toBe(201);

    // A job of team A that an admin pointed at team B's workers: only an editor of B may change it.
    expect((await target.admin('POST', '/api/v1/jobs', cross('alpha.cross-4'))).status).toBe(201);
    const edit = cross('alpha.cross-4', '/anything-else');
    const refused: [Api, number, string][] = [
      [clients.editor, 400, 'validation_error'],
      [readsB, 403, 'forbidden'],
    ];
    for (const [api, status, code] of refused) {
      const res = await api('PUT', '/api/v1/jobs/alpha.cross-4', edit);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect((res.body as ErrorBody).error).toMatchObject({ code, field: 'target.group' });
    }
    const unchanged = await target.admin<{ target: { path: string } }>('GET', '/api/v1/jobs/alpha.cross-4');
    expect(unchanged.body.target.path).toBe('/x');
    expect((await editsB('PUT', '/api/v1/jobs/alpha.cross-4', edit)).status).toBe(200);
  });

  it('shows target header values (legacy credentials) only to those who may edit the job', async () => {
    const spec = jobSpec('alpha.legacy', {
      target: { url: 'http://127.0.0.1:9/legacy', headers: { authorization: 'Basic c2VjcmV0' } },
    });
    expect((await tc.api('POST', '/api/v1/jobs', spec)).status).toBe(201);
    type View = { target: { headers: Record<string, string> } };
    const asViewer = await clients.viewer<View>('GET', '/api/v1/jobs/alpha.legacy');
    const asOperator = await clients.operator<{ items: (View & { name: string })[] }>(
      'GET',
      '/api/v1/jobs?q=legacy',
    );
    const asEditor = await clients.editor<View>('GET', '/api/v1/jobs/alpha.legacy');
    expect(asViewer.body.target.headers).toEqual({ authorization: '[hidden]' });
    expect(asOperator.body.items[0]?.target.headers).toEqual({ authorization: '[hidden]' });
    expect(asEditor.body.target.headers).toEqual({ authorization: 'Basic c2VjcmV0' });
  });

  it("keeps a deleted job's runs with its team", async () => {
    const name = await target.newJob();
    const job = await target.admin<{ id: string }>('GET', `/api/v1/jobs/${name}`);
    const run = await target.admin<{ id: string }>('POST', `/api/v1/jobs/${name}/trigger`);
    expect(run.status).toBe(202);
    expect((await clients.editor('DELETE', `/api/v1/jobs/${name}`)).status).toBe(204);

    const history = `/api/v1/jobs/${job.body.id}/runs`;
    const viewerA = await clients.viewer<{ items: { id: string }[] }>('GET', history);
    expect(viewerA.status, JSON.stringify(viewerA.body)).toBe(200);
    expect(viewerA.body.items.map((r) => r.id)).toEqual([run.body.id]);
    expect((await clients.viewer('GET', `/api/v1/runs/${run.body.id}`)).status).toBe(200);
    for (const role of ['viewer of B only', 'no role'] as const) {
      expect((await clients[role]('GET', history)).status, role).toBe(404);
      expect((await clients[role]('GET', `/api/v1/runs/${run.body.id}`)).status, role).toBe(404);
    }
  });

  it("lists, counts and the audit log show only the caller's teams", async () => {
    type Items<T> = { items: T[] };
    const teamsIn = async (role: RoleName, path: string) =>
      (await clients[role]<Items<{ team: string | null }>>('GET', path)).body.items.map((x) => x.team);

    for (const path of ['/api/v1/jobs', '/api/v1/worker-groups', '/api/v1/audit?limit=500']) {
      expect(new Set(await teamsIn('viewer of B only', path)), path).toEqual(new Set([B]));
      expect(new Set(await teamsIn('viewer', path)), path).toEqual(new Set([A]));
      expect(await teamsIn('no role', path), path).toEqual([]);
    }
    const adminJobs = await teamsIn('admin', '/api/v1/jobs');
    expect(adminJobs).toContain(A);
    expect(adminJobs).toContain(B);
    const viewerBJobs = await clients['viewer of B only']<Items<{ name: string }>>('GET', '/api/v1/jobs');
    expect(viewerBJobs.body.items.map((j) => j.name)).toEqual(['bravo.sweep']);
    const teams = await clients['viewer of B only']<Items<{ name: string }>>('GET', '/api/v1/teams');
    expect(teams.body.items.map((t) => t.name)).toEqual([B]);
    expect((await clients['no role']<Items<unknown>>('GET', '/api/v1/teams')).body.items).toEqual([]);

    type Overview = {
      jobs: { total: number; enabled: number; paused: number };
      jobsPerTeam: { team: string }[];
      runs24h: Record<string, number>;
      runningNow: { count: number; items: { job: string }[] };
      recentFailures: { job: string }[];
    };
    const overview = async (role: RoleName) =>
      (await clients[role]<Overview>('GET', '/api/v1/overview')).body;
    const runsIn = (o: Overview) =>
      Object.entries(o.runs24h)
        .filter(([k]) => k !== 'timedOut')
        .reduce((sum, [, n]) => sum + n, 0);

    const b = await overview('viewer of B only');
    expect(b.jobs).toEqual({ total: 1, enabled: 1, paused: 0 });
    expect(b.jobsPerTeam.map((t) => t.team)).toEqual([B]);
    expect(runsIn(b), JSON.stringify(b.runs24h)).toBe(1);
    expect(b.runs24h.failed).toBe(1);
    expect(b.runningNow.count).toBe(0);
    expect(b.recentFailures.map((r) => r.job)).toEqual(['bravo.sweep']);

    const none = await overview('no role');
    expect(none.jobs.total).toBe(0);
    expect(runsIn(none)).toBe(0);
    expect(none.recentFailures).toEqual([]);

    const all = await overview('admin');
    expect(all.jobs.total).toBeGreaterThan(b.jobs.total);
    expect(runsIn(all)).toBeGreaterThan(runsIn(b));
    expect(all.jobsPerTeam.map((t) => t.team)).toEqual(expect.arrayContaining([A, B]));
  });
});
