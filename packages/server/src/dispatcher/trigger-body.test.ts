import { describe, expect, it } from 'vitest';
import { callbackBase, TriggerBodies } from './trigger-body.js';

describe('trigger body', () => {
  it('is the JSON of PROTOCOL.md §1, exactly as JSON.stringify would write it', () => {
    const bodies = new TriggerBodies();
    const params = { region: 'eu "west"', n: [1, 2], nested: { ok: true } };
    const job = { id: '01JOB0000000000000000000AA', name: 'billing.refund-sweep', timeoutSec: 1.5 };
    const fields = {
      runId: '01RUN0000000000000000000AA',
      job,
      scheduledAt: Date.parse('2027-03-14T07:00:00.000Z'),
      firedAt: Date.parse('2027-03-14T07:00:00.004Z'),
      attempt: 2,
      trigger: 'retry',
      params,
      callbackBase: callbackBase('http://jobcenter.internal:8080/base"q'),
      token: 'tok_en-1',
    };
    const expected = JSON.stringify({
      runId: fields.runId,
      jobId: job.id,
      job: job.name,
      scheduledAt: '2027-03-14T07:00:00.000Z',
      firedAt: '2027-03-14T07:00:00.004Z',
      attempt: 2,
      trigger: 'retry',
      params,
      shard: { index: 0, total: 1 },
      timeoutSec: 1.5,
      callback: {
        url: `http://jobcenter.internal:8080/base"q/api/v1/callbacks/${fields.runId}`,
        token: 'tok_en-1',
      },
    });
    expect(bodies.build(fields)).toBe(expected);
    expect(bodies.build(fields), 'cached parts give the same text').toBe(expected);
    const other = bodies.build({
      ...fields,
      scheduledAt: fields.scheduledAt + 1000,
      job: { ...job, timeoutSec: null },
    });
    expect(JSON.parse(other)).toMatchObject({ scheduledAt: '2027-03-14T07:00:01.000Z', timeoutSec: null });
  });
});
