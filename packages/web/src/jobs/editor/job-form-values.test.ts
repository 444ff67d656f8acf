import { describe, expect, it } from 'vitest';
import type { Job } from '../../api/types';
import { formFieldOf, NEW_JOB, toFormValues, toJobInput } from './job-form-values';

const job: Job = {
  id: '01M88343DN3CWFK7EN37PS3CNX',
  name: 'billing.refund-sweep',
  description: 'sweeps refunds',
  team: 'billing',
  owner: null,
  tags: ['refund'],
  schedule: { cron: '0 */5 * * * *', timezone: 'Asia/Shanghai' },
  target: {
    group: 'billing-workers',
    path: '/jobs/refund-sweep',
    url: null,
    method: 'POST',
    headers: { 'X-Team': 'billing' },
    connectTimeoutMs: 3000,
    responseTimeoutMs: 30000,
  },
  params: { day: 'yesterday' },
  routing: 'first',
  delivery: 'until_delivered',
  timeoutSec: 600,
  deadlineSec: 3600,
  heartbeatSec: null,
  retry: { count: 2, backoffSec: 10 },
  misfire: 'fire_once',
  alerts: { recipients: ['team:billing'], on: ['failed', 'lost'] },
  retention: null,
  enabled: false,
  createdAt: '2026-11-25T00:00:00.000Z',
  updatedAt: '2026-11-25T00:00:00.000Z',
  nextFireAt: null,
  lastRun: null,
};

describe('job form values', () => {
  it('gives back the job it was made from', () => {
    const input = toJobInput(toFormValues(job));
    expect(input).toEqual({
      name: job.name,
      description: job.description,
      team: 'billing',
      owner: null,
      tags: ['refund'],
      schedule: job.schedule,
      target: {
        group: 'billing-workers',
        path: '/jobs/refund-sweep',
        method: 'POST',
        headers: { 'X-Team': 'billing' },
        connectTimeoutMs: 3000,
        responseTimeoutMs: 30000,
      },
      params: { day: 'yesterday' },
      routing: 'first',
      delivery: 'until_delivered',
      misfire: 'fire_once',
      timeoutSec: 600,
      deadlineSec: 3600,
      heartbeatSec: null,
      retry: { count: 2, backoffSec: 10 },
      alerts: { recipients: ['team:billing'], on: ['failed', 'lost'], escalation: null },
      retention: null,
      enabled: false,
    });
  });

  it('sends an absolute URL without group and path, and blanks as null', () => {
    const input = toJobInput({
      ...NEW_JOB,
      name: 'legacy.cleanup',
      team: '  ',
      targetMode: 'url',
      target: { ...NEW_JOB.target, url: 'http://127.0.0.1:9090/jobs/hello', group: 'ignored' },
      retention: { days: 7, count: null },
    });
    expect(input.target).toEqual({ url: 'http://127.0.0.1:9090/jobs/hello', method: 'POST' });
    expect(input.team).toBeNull();
    expect(input.retention).toEqual({ days: 7, count: null });
  });

  it('keeps an escalation, and sends null once it is turned off', () => {
    const escalating: Job = {
      ...job,
      alerts: {
        recipients: ['team:billing'],
        on: ['failed'],
        escalation: { afterFailures: 3, recipients: ['sms:+8613800000000'] },
      },
    };
    const values = toFormValues(escalating);
    expect(values.alerts).toMatchObject({ escalate: true, escalation: { afterFailures: 3 } });
    expect(toJobInput(values).alerts?.escalation).toEqual({
      afterFailures: 3,
      recipients: ['sms:+8613800000000'],
    });
    expect(
      toJobInput({ ...values, alerts: { ...values.alerts, escalate: false } }).alerts?.escalation,
    ).toBeNull();
    expect(toFormValues(job).alerts).toMatchObject({
      escalate: false,
      escalation: { afterFailures: 3, recipients: [] },
    });
  });

  it('refuses params that are not a JSON object', () => {
    expect(() => toJobInput({ ...NEW_JOB, name: 'x', paramsText: '[1]' })).toThrow(/params/);
  });

  it('puts API field errors on the matching form field', () => {
    expect(formFieldOf('schedule.cron')).toEqual(['schedule', 'cron']);
    expect(formFieldOf('tags.2')).toEqual(['tags']);
    expect(formFieldOf('target.headers.X-Team')).toEqual(['target', 'headers']);
    expect(formFieldOf('params.day')).toEqual(['paramsText']);
    expect(formFieldOf('target')).toEqual(['targetMode']);
    expect(formFieldOf('retention.days')).toEqual(['retention', 'days']);
    expect(formFieldOf('alerts.escalation.recipients.0')).toEqual(['alerts', 'escalation', 'recipients']);
    expect(formFieldOf('alerts.recipients.1')).toEqual(['alerts', 'recipients']);
    expect(formFieldOf('body')).toBeNull();
    expect(formFieldOf(undefined)).toBeNull();
  });
});
