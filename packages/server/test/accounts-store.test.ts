/**
 * The store's account operations on both dialects: directory sync keeps
 * local roles and never takes over a local user, teams in use are not
 * deleted, the login throttle locks and unlocks, expired sessions and old
 * audit entries are pruned, a deleted job's team outlives it.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountHousekeeping } from '../src/auth/housekeeping.js';
import { DEFAULT_REPORT_LIMITS } from '../src/domain/callback-rules.js';
import { newId } from '../src/ids.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/databases.js';
import { testJob } from './helpers/jobs.js';

const DIALECTS = await dialects();
const T0 = Date.parse('2027-01-01T00:00:00.000Z');
const DAY = 86_400_000;

describe.each(DIALECTS)('accounts in the store on %s', (dialect) => {
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

  const newUser = (name: string, source: 'local' | 'directory' = 'local') => ({
    id: newId(T0),
    name,
    displayName: null,
    email: null,
    phone: null,
    source,
    passwordHash: null,
    admin: false,
  });

  it('re-syncs a directory user: directory roles replaced, local roles kept, a local name never taken', async () => {
    const grant = (teams: { team: string; role: 'viewer' | 'editor' | 'owner' }[], admin = false) => ({
      admin,
      teams,
    });
    const first = await store.users.syncDirectoryUser(
      {
        name: 'dora',
        displayName: 'Dora',
        email: 'd@x.org',
        phone: null,
        grant: grant([{ team: 'ops', role: 'editor' }], true),
      },
      newId(T0),
      T0,
    );
    if (first === 'local_user') throw new Error('unexpected');
    expect(first).toMatchObject({ source: 'directory', directoryAdmin: true, email: 'd@x.org' });
    expect(await store.teams.find('ops'), 'mapped team created').not.toBeNull();
    await store.teams.setMember('ops', first.id, 'viewer', T0);
    await store.teams.setMember('fin', first.id, 'owner', T0);
    const again = await store.users.syncDirectoryUser(
      { name: 'dora', displayName: 'Dora E.', email: null, phone: '+100', grant: grant([]) },
      newId(T0),
      T0 + 1,
    );
    if (again === 'local_user') throw new Error('unexpected');
    expect(again).toMatchObject({
      id: first.id,
      directoryAdmin: false,
      displayName: 'Dora E.',
      phone: '+100',
    });
    expect(await store.users.memberships(first.id)).toEqual([
      { team: 'fin', role: 'owner', source: 'local' },
      { team: 'ops', role: 'viewer', source: 'local' },
    ]);
    await store.users.insert(newUser('lena'), T0);
    expect(
      await store.users.syncDirectoryUser(
        { name: 'lena', displayName: null, email: null, phone: null, grant: grant([], true) },
        newId(T0),
        T0,
      ),
    ).toBe('local_user');
    expect((await store.users.find('lena'))?.directoryAdmin).toBe(false);
  });

  it('deletes a team only while no job or group uses it; a deleted job keeps its team in a tombstone', async () => {
    await store.teams.insert({ name: 'tmp', description: '', createdAt: T0 });
    const job = testJob('tmp-job', T0, { team: 'tmp' });
    await store.jobs.insert(job);
    expect(await store.teams.delete('tmp')).toBe('in_use');
    expect(await store.jobs.teamOf(job.id)).toBe('tmp');
    expect(await store.jobs.delete(job, T0)).toBe(true);
    expect(await store.jobs.teamOf(job.id), 'from the tombstone').toBe('tmp');
    expect(await store.teams.delete('tmp')).toBe('deleted');
    expect(await store.teams.delete('tmp')).toBe('not_found');
  });

  it('locks a key once its attempts pass the maximum within the window, until the lock ends', async () => {
    const policy = { maxFailures: 3, windowMs: 60_000, lockMs: 30_000 };
    for (let i = 0; i < 3; i++)
      expect(await store.loginThrottle.countAttempt('user:eve', T0 + i, policy)).toBeNull();
    expect(await store.loginThrottle.lockedUntil(['user:eve'], T0 + 3)).toBeNull();
    expect(await store.loginThrottle.countAttempt('user:eve', T0 + 3, policy)).toBe(T0 + 3 + 30_000);
    expect(await store.loginThrottle.lockedUntil(['user:eve', 'ip:1.2.3.4'], T0 + 4)).toBe(T0 + 3 + 30_000);
    expect(await store.loginThrottle.lockedUntil(['user:eve'], T0 + 3 + 30_000)).toBeNull();
    // Attempts spread wider than the window never lock.
    for (let i = 0; i < 6; i++)
      expect(await store.loginThrottle.countAttempt('user:slow', T0 + i * 61_000, policy)).toBeNull();
    // A forgiven attempt (right password) does not count.
    for (let i = 0; i < 6; i++) {
      expect(await store.loginThrottle.countAttempt('user:ok', T0 + i, policy)).toBeNull();
      await store.loginThrottle.forgive('user:ok');
    }
  });

  it('housekeeping prunes idle and expired sessions and audit entries past retention', async () => {
    const user = await store.users.insert(newUser('sam'), T0);
    if (user === 'exists') throw new Error('unexpected');
    const session = (id: string, lastSeenAt: number, expiresAt: number) =>
      store.sessions.insert({
        idHash: id,
        userId: user.id,
        csrfToken: 'c',
        createdAt: T0,
        lastSeenAt,
        expiresAt,
        ip: null,
        userAgent: null,
      });
    const now = T0 + 400 * DAY;
    await session('fresh', now - 1_000, now + DAY);
    // Ended, but less than a day ago: kept, so the browser hears "expired".
    await session('recently-idle', now - 9 * 3_600_000, now + DAY);
    await session('recently-expired', now - 1_000, now - 1);
    // Ended more than a day ago: removed.
    await session('idle', now - 33 * 3_600_000, now + DAY);
    await session('expired', now - 1_000, now - 25 * 3_600_000);
    for (const [i, age] of [400, 366, 10].entries()) {
      await store.audit.insert({
        id: newId(now - age * DAY + i),
        at: now - age * DAY,
        actor: 'sam',
        actorKind: 'user',
        tokenId: null,
        ip: null,
        action: 'job.pause',
        targetType: 'job',
        target: `j${age}`,
        team: 'ops',
        details: null,
      });
    }
    const housekeeping = new AccountHousekeeping({
      store,
      clock: { now: () => now },
      log: pino({ level: 'silent' }),
      intervalMs: 60_000,
      sessionIdleMs: 8 * 3_600_000,
      auditRetentionDays: 365,
      alertRetentionDays: 90,
      batchSize: 1,
    });
    expect(await housekeeping.runOnce()).toEqual({ sessions: 2, auditEntries: 2, alertMessages: 0 });
    expect(await store.sessions.find('fresh')).not.toBeNull();
    expect(await store.sessions.find('recently-idle')).not.toBeNull();
    expect(await store.sessions.find('recently-expired')).not.toBeNull();
    const left = await store.audit.list({ teams: null, action: 'job' }, 10, undefined);
    if (left === 'bad_cursor') throw new Error('unexpected');
    expect(left.entries.map((e) => e.target)).toEqual(['j10']);
  });
});
