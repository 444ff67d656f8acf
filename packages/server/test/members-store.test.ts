/** The store's member operations (heartbeats, static lists, load, guarded rename and delete) on both dialects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_LIMITS } from '../src/domain/callback-rules.js';
import type { GroupMember, WorkerGroup } from '../src/domain/worker-group.js';
import { newId, newSecret } from '../src/ids.js';
import { pendingRun } from '../src/scheduler/run-rows.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/databases.js';
import { testJob } from './helpers/jobs.js';

const DIALECTS = await dialects();
const T0 = Date.parse('2027-01-01T00:00:00.000Z');
const EXPIRY = 30_000;

const listed = (url: string, name: string | null = null): GroupMember => ({
  url,
  name,
  dynamic: false,
  lastSeenAt: null,
});

function group(name: string, members: GroupMember[]): WorkerGroup {
  return {
    id: newId(T0),
    name,
    team: null,
    description: '',
    secret: newSecret(),
    members,
    probe: null,
    createdAt: T0,
    updatedAt: T0,
  };
}

describe.each(DIALECTS)('members in the store on %s', (dialect) => {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      reportLimits: DEFAULT_REPORT_LIMITS,
    });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const live = (name: string, now: number) => store.groups.find(name, { dynamicSeenSince: now - EXPIRY });

  it('heartbeats add dynamic members after the static ones, by joining time; expired ones drop out', async () => {
    const g = group('hb', [listed('http://s2', 's2'), listed('http://s1', 's1')]);
    await store.groups.insert(g);
    const since = (now: number) => now - EXPIRY;
    expect(
      await store.members.recordHeartbeat(g.id, { url: 'http://d2', name: 'd2' }, T0 + 1, since(T0 + 1)),
    ).toEqual({
      dynamic: true,
    });
    await store.members.recordHeartbeat(g.id, { url: 'http://d1', name: null }, T0 + 2, since(T0 + 2));
    expect(
      await store.members.recordHeartbeat(
        g.id,
        { url: 'http://s1', name: 'renamed?' },
        T0 + 3,
        since(T0 + 3),
      ),
      'a listed URL stays static',
    ).toEqual({ dynamic: false });
    // d2 again, without a name: it keeps its name and its place.
    await store.members.recordHeartbeat(g.id, { url: 'http://d2', name: null }, T0 + 4, since(T0 + 4));

    const read = await live('hb', T0 + 5);
    expect(read?.members).toEqual([
      { url: 'http://s2', name: 's2', dynamic: false, lastSeenAt: null },
      { url: 'http://s1', name: 's1', dynamic: false, lastSeenAt: T0 + 3 },
      { url: 'http://d2', name: 'd2', dynamic: true, lastSeenAt: T0 + 4 },
      { url: 'http://d1', name: null, dynamic: true, lastSeenAt: T0 + 2 },
    ]);
    expect(
      (await store.groups.find('hb'))?.members.map((m) => m.url),
      'no filter: static only',
    ).toEqual(['http://s2', 'http://s1']);

    // d1 falls silent past the expiry; d2 keeps beating.
    const later = T0 + 2 + EXPIRY + 1;
    await store.members.recordHeartbeat(g.id, { url: 'http://d2', name: null }, later, since(later));
    expect((await live('hb', later))?.members.map((m) => m.url)).toEqual([
      'http://s2',
      'http://s1',
      'http://d2',
    ]);
    // d1 comes back before being forgotten: it joins anew, after d2.
    await store.members.recordHeartbeat(g.id, { url: 'http://d1', name: null }, later + 1, since(later + 1));
    expect((await live('hb', later + 1))?.members.map((m) => m.url)).toEqual([
      'http://s2',
      'http://s1',
      'http://d2',
      'http://d1',
    ]);
    expect(await store.members.forgetSilent(since(later + 1))).toBe(0);
    expect(await store.members.forgetSilent(later + 2), 'both dynamic members, never the static ones').toBe(
      2,
    );
    expect((await store.groups.find('hb', { dynamicSeenSince: 0 }))?.members).toHaveLength(2);
  });

  it('a new static list keeps dynamic members and last heartbeats, and can make a dynamic member static', async () => {
    const g = group('lists', [listed('http://a'), listed('http://b')]);
    await store.groups.insert(g);
    await store.members.recordHeartbeat(g.id, { url: 'http://a', name: null }, T0 + 10, T0 - EXPIRY);
    await store.members.recordHeartbeat(g.id, { url: 'http://dyn', name: 'dyn' }, T0 + 10, T0 - EXPIRY);
    await store.members.recordHeartbeat(g.id, { url: 'http://joins', name: null }, T0 + 10, T0 - EXPIRY);
    const replaced = {
      ...g,
      members: [listed('http://joins', 'now listed'), listed('http://a', 'a')],
      probe: { path: '/healthz', intervalMs: 2_500 },
      updatedAt: T0 + 20,
    };
    expect(await store.groups.replace(replaced, 'lists')).toBe('replaced');
    const read = await live('lists', T0 + 20);
    expect(read?.members).toEqual([
      { url: 'http://joins', name: 'now listed', dynamic: false, lastSeenAt: T0 + 10 },
      { url: 'http://a', name: 'a', dynamic: false, lastSeenAt: T0 + 10 },
      { url: 'http://dyn', name: 'dyn', dynamic: true, lastSeenAt: T0 + 10 },
    ]);
    expect(read?.probe).toEqual({ path: '/healthz', intervalMs: 2_500 });
  });

  it('renames and deletes only while no job targets the group, in the same statement', async () => {
    const g = group('used', [listed('http://u')]);
    await store.groups.insert(g);
    await store.jobs.insert(
      testJob('uses-it', T0, { target: { ...testJob('x', T0).target, group: 'used' } }),
    );
    expect(await store.groups.replace({ ...g, name: 'used-2' }, 'used')).toBe('in_use');
    expect(await store.groups.delete(g.id, 'used')).toBe('in_use');
    expect(await store.groups.find('used')).not.toBeNull();
    expect(await store.groups.find('used-2')).toBeNull();

    const free = group('free', [listed('http://f')]);
    await store.groups.insert(free);
    expect(await store.groups.replace({ ...free, name: 'free-2' }, 'free')).toBe('replaced');
    expect((await store.groups.find('free-2'))?.members.map((m) => m.url)).toEqual(['http://f']);
    expect(await store.groups.delete(free.id, 'free-2')).toBe('deleted');
    expect(await store.groups.find('free-2')).toBeNull();
    expect(await store.groups.replace({ ...free, name: 'gone' }, 'free-2')).toBe('not_found');
  });

  it('counts running runs per member URL in one grouped query', async () => {
    const j = testJob('load', T0);
    await store.jobs.insert(j);
    const runs = [0, 1, 2].map((i) => pendingRun(j, 'manual', T0 + i, T0 + i, 86_400));
    await store.runs.insertRuns(runs);
    const accept = (runId: string, member: string) => ({
      runId,
      attempt: { n: 1, member, sentAt: T0, httpStatus: 202, error: null, latencyMs: 1 },
      outcome: { kind: 'accepted' as const, member, at: T0 + 5 },
    });
    const [r0, r1, r2] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    await store.runs.recordDeliveries([
      accept(r0.id, 'http://busy'),
      accept(r1.id, 'http://busy'),
      accept(r2.id, 'http://other'),
    ]);
    await store.reports.recordResult(r2.id, { status: 'succeeded', message: null, output: null }, T0 + 9);
    const counts = await store.members.runningCounts(['http://busy', 'http://other', 'http://idle']);
    expect(Object.fromEntries(counts)).toEqual({ 'http://busy': 2 });
    expect(Object.fromEntries(await store.members.groupsOfJobs([j.id, 'nope']))).toEqual({ [j.id]: 'g' });
  });
});
