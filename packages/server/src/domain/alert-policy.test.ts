import { describe, expect, it } from 'vitest';
import { type AlertPolicy, type DecisionInput, decide, policyOf } from './alert-policy.js';

const POLICY: AlertPolicy = {
  on: ['failed', 'lost', 'recovered', 'timeout'],
  recipients: ['team:billing'],
  escalation: { afterFailures: 3, recipients: ['user:boss'] },
};
const base: DecisionInput = {
  event: 'failed',
  policy: POLICY,
  jobEnabled: true,
  inMaintenance: false,
  windowUntil: null,
  episodeFailures: null,
  now: 1_000_000,
  windowMs: 600_000,
};

describe('alert decisions', () => {
  it('sends the first failure, opens the episode and the window', () => {
    expect(decide(base)).toEqual({
      kind: 'failed',
      outcome: 'send',
      recipients: ['team:billing'],
      windowUntil: 1_600_000,
      episodeFailures: 1,
    });
  });

  it('holds back the next one of the same kind within the window, still counting the episode', () => {
    const d = decide({ ...base, windowUntil: 1_600_000, episodeFailures: 1 });
    expect(d).toMatchObject({
      outcome: 'throttled',
      recipients: [],
      episodeFailures: 2,
      windowUntil: 1_600_000,
    });
  });

  it('escalates when the failures reach the threshold, through the window, to the second list only', () => {
    const d = decide({ ...base, windowUntil: 1_600_000, episodeFailures: 2 });
    expect(d).toMatchObject({ outcome: 'send', recipients: ['user:boss'], episodeFailures: 3 });
    const later = decide({ ...base, windowUntil: null, episodeFailures: 5 });
    expect(later.recipients).toEqual(['team:billing', 'user:boss']);
  });

  it('says recovered once the episode closes, never throttled, reopening the window', () => {
    const d = decide({ ...base, event: 'succeeded', windowUntil: 1_600_000, episodeFailures: 4 });
    expect(d).toEqual({
      kind: 'recovered',
      outcome: 'send',
      recipients: ['team:billing', 'user:boss'],
      windowUntil: null,
      episodeFailures: null,
    });
  });

  it('keeps quiet for a paused job and in a maintenance window, and skips unsubscribed kinds', () => {
    expect(decide({ ...base, jobEnabled: false }).outcome).toBe('quiet');
    expect(decide({ ...base, inMaintenance: true }).outcome).toBe('quiet');
    expect(decide({ ...base, event: 'missed' }).outcome).toBe('unsubscribed');
    // Timeouts and misses do not count as failures of the episode.
    expect(decide({ ...base, event: 'timeout', episodeFailures: 1 }).episodeFailures).toBe(1);
  });

  it('completes a job policy with the defaults', () => {
    const defaults: AlertPolicy = { on: ['failed'], recipients: ['email:ops@x.org'], escalation: null };
    expect(policyOf({ recipients: [], on: [] }, defaults)).toEqual(defaults);
    expect(policyOf({ recipients: ['user:a'], on: [] }, defaults)).toEqual({
      ...defaults,
      recipients: ['user:a'],
    });
    expect(policyOf({ recipients: [], on: ['lost'] }, defaults).on).toEqual(['lost']);
  });
});
