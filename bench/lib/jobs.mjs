/**
 * Jobs and worker groups written straight into a store (the server's own
 * repositories from dist/), for benchmarks that need many of them fast.
 */
import { pMap, serverModule } from './common.mjs';

const { newId, newSecret } = await serverModule('ids.js');
const { openStore } = await serverModule('store/store.js');
const { DEFAULT_REPORT_LIMITS } = await serverModule('domain/callback-rules.js');

export { newId };

/** Opens the bench store with the server's repositories (migrating it first). */
export function openBenchStore(store) {
  return openStore({
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
    reportLimits: DEFAULT_REPORT_LIMITS,
  });
}

/** A complete Job row as the server stores it (every default applied). */
export function makeJob(name, overrides = {}) {
  const now = Date.now();
  return {
    id: newId(now),
    name,
    description: '',
    team: null,
    owner: null,
    tags: [],
    schedule: { cron: '* * * * * *', timezone: 'UTC' },
    target: {
      group: 'bench',
      path: '/run',
      url: null,
      method: 'POST',
      headers: {},
      connectTimeoutMs: 3000,
      responseTimeoutMs: 30000,
    },
    params: {},
    routing: 'random',
    delivery: 'once',
    timeoutSec: null,
    deadlineSec: null,
    heartbeatSec: null,
    retry: { count: 0, backoffSec: 10 },
    misfire: 'skip',
    alerts: { recipients: [], on: [] },
    enabled: true,
    secret: null,
    createdAt: now,
    updatedAt: now,
    plannedFrom: now,
    ...overrides,
  };
}

export async function insertGroup(repo, name, memberUrls) {
  const now = Date.now();
  await repo.groups.insert({
    id: newId(now),
    name,
    team: null,
    description: 'bench',
    secret: newSecret(),
    members: memberUrls.map((url) => ({ url, name: null, dynamic: false, lastSeenAt: null })),
    probe: null,
    createdAt: now,
    updatedAt: now,
  });
}

/** Inserts `count` jobs made by `make(i)`; PostgreSQL gets several in flight. */
export async function insertJobs(repo, count, make) {
  const inFlight = repo.dialect.name === 'postgres' ? 10 : 1;
  await pMap(count, inFlight, (i) => repo.jobs.insert(make(i)));
}
