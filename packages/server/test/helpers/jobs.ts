/** A complete Job for tests that write to the store directly. */
import type { Job } from '../../src/domain/job.js';
import { newId } from '../../src/ids.js';

export function testJob(name: string, at: number, overrides: Partial<Job> = {}): Job {
  return {
    id: newId(at),
    name,
    description: '',
    team: null,
    owner: null,
    tags: [],
    schedule: { cron: '* * * * * *', timezone: 'UTC' },
    target: {
      group: 'g',
      path: '/x',
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
    retention: null,
    enabled: true,
    secret: null,
    createdAt: at,
    updatedAt: at,
    plannedFrom: at,
    ...overrides,
  };
}
