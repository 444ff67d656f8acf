import { describe, expect, it } from 'vitest';
import type { Job, Overview, Page } from '../api/types';
import { parseRunUpdate, type RunUpdate, withLastRun, withRunningNow } from './run-update';

const update = (over: Partial<RunUpdate> = {}): RunUpdate => ({
  id: 'r2',
  jobId: 'j1',
  job: 'billing.sweep',
  team: 'billing',
  trigger: 'schedule',
  status: 'running',
  notifyStatus: 'delivered',
  progress: 40,
  message: null,
  scheduledAt: '2027-01-01T00:01:00.000Z',
  firedAt: '2027-01-01T00:01:00.010Z',
  finishedAt: null,
  durationMs: null,
  timedOut: false,
  ...over,
});

const jobs = (lastScheduledAt: string | null): Page<Job> => ({
  items: [
    {
      id: 'j1',
      name: 'billing.sweep',
      lastRun:
        lastScheduledAt === null ? null : { id: 'r1', scheduledAt: lastScheduledAt, status: 'succeeded' },
    } as unknown as Job,
    { id: 'j9', name: 'other', lastRun: null } as unknown as Job,
  ],
  nextCursor: null,
});

const overview = (items: Overview['runningNow']['items']): Overview =>
  ({ runningNow: { count: items.length, items } }) as unknown as Overview;

describe('run updates', () => {
  it('parses a run event and refuses anything else', () => {
    expect(parseRunUpdate(JSON.stringify(update()))?.id).toBe('r2');
    expect(parseRunUpdate('{"id": 1}')).toBeNull();
    expect(parseRunUpdate('not json')).toBeNull();
  });

  it("makes a newer run the job's last run, and leaves older ones and other jobs alone", () => {
    const newer = withLastRun(jobs('2027-01-01T00:00:00.000Z'), update());
    expect(newer.items[0]?.lastRun).toMatchObject({ id: 'r2', status: 'running' });
    expect(newer.items[1]?.lastRun).toBeNull();
    const older = jobs('2027-01-01T00:02:00.000Z');
    expect(withLastRun(older, update())).toBe(older);
    expect(withLastRun(jobs(null), update()).items[0]?.lastRun?.id).toBe('r2');
  });

  it('adds an open run to running now, updates it, and removes it when it ends', () => {
    const added = withRunningNow(overview([]), update());
    expect(added.runningNow).toMatchObject({ count: 1, items: [{ runId: 'r2', progress: 40 }] });
    const progressed = withRunningNow(added, update({ progress: 80 }));
    expect(progressed.runningNow).toMatchObject({ count: 1, items: [{ runId: 'r2', progress: 80 }] });
    const ended = withRunningNow(progressed, update({ status: 'succeeded', progress: 100 }));
    expect(ended.runningNow).toEqual({ count: 0, items: [] });
    const unknown = overview([]);
    expect(withRunningNow(unknown, update({ status: 'failed' }))).toBe(unknown);
  });
});
