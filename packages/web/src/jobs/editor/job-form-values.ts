/**
 * The job editor's form values and their conversion to and from the API's
 * job (PROTOCOL.md §4), and where an API field error belongs in the form.
 */
import type { AlertEvent, Delivery, Job, JobInput, Misfire, Routing } from '../../api/types';
import { parseJsonObject } from '../../common/json-text';

export interface JobFormValues {
  name: string;
  description: string;
  team: string;
  owner: string;
  tags: string[];
  schedule: { cron: string; timezone: string };
  targetMode: 'group' | 'url';
  target: {
    group: string;
    path: string;
    url: string;
    method: 'POST' | 'GET';
    headers: { key: string; value: string }[];
    connectTimeoutMs: number | null;
    responseTimeoutMs: number | null;
  };
  paramsText: string;
  routing: Routing;
  delivery: Delivery;
  misfire: Misfire;
  timeoutSec: number | null;
  deadlineSec: number | null;
  heartbeatSec: number | null;
  retry: { count: number; backoffSec: number };
  alerts: {
    recipients: string[];
    on: AlertEvent[];
    escalate: boolean;
    escalation: { afterFailures: number | null; recipients: string[] };
  };
  retention: { days: number | null; count: number | null };
  enabled: boolean;
}

export const NEW_JOB: JobFormValues = {
  name: '',
  description: '',
  team: '',
  owner: '',
  tags: [],
  schedule: { cron: '*/5 * * * *', timezone: 'UTC' },
  targetMode: 'group',
  target: {
    group: '',
    path: '/',
    url: '',
    method: 'POST',
    headers: [],
    connectTimeoutMs: null,
    responseTimeoutMs: null,
  },
  paramsText: '{}',
  routing: 'random',
  delivery: 'once',
  misfire: 'skip',
  timeoutSec: null,
  deadlineSec: null,
  heartbeatSec: null,
  retry: { count: 0, backoffSec: 10 },
  alerts: {
    recipients: [],
    on: [],
    escalate: false,
    escalation: { afterFailures: 3, recipients: [] },
  },
  retention: { days: null, count: null },
  enabled: true,
};

/** A job as the form shows it; `name` replaced for a clone. */
export function toFormValues(job: Job, name = job.name): JobFormValues {
  return {
    name,
    description: job.description,
    team: job.team ?? '',
    owner: job.owner ?? '',
    tags: [...job.tags],
    schedule: { ...job.schedule },
    targetMode: job.target.url ? 'url' : 'group',
    target: {
      group: job.target.group ?? '',
      path: job.target.path ?? '',
      url: job.target.url ?? '',
      method: job.target.method,
      headers: Object.entries(job.target.headers).map(([key, value]) => ({ key, value })),
      connectTimeoutMs: job.target.connectTimeoutMs,
      responseTimeoutMs: job.target.responseTimeoutMs,
    },
    paramsText: JSON.stringify(job.params, null, 2),
    routing: job.routing,
    delivery: job.delivery,
    misfire: job.misfire,
    timeoutSec: job.timeoutSec,
    deadlineSec: job.deadlineSec,
    heartbeatSec: job.heartbeatSec,
    retry: { ...job.retry },
    alerts: {
      recipients: [...job.alerts.recipients],
      on: job.alerts.on as AlertEvent[],
      escalate: Boolean(job.alerts.escalation),
      escalation: {
        afterFailures: job.alerts.escalation?.afterFailures ?? 3,
        recipients: [...(job.alerts.escalation?.recipients ?? [])],
      },
    },
    retention: { days: job.retention?.days ?? null, count: job.retention?.count ?? null },
    enabled: job.enabled,
  };
}

const blankToNull = (v: string | undefined) => (v?.trim() ? v.trim() : null);
const given = (v: number | null | undefined): v is number => v !== null && v !== undefined;

/** The body of `POST /jobs` or `PUT /jobs/{job}`; throws on params that are not a JSON object. */
export function toJobInput(values: JobFormValues): JobInput {
  const params = parseJsonObject(values.paramsText);
  if (!params.ok) throw new Error(`params: ${params.message}`);
  const headers = Object.fromEntries(
    values.target.headers.filter((h) => h.key?.trim()).map((h) => [h.key.trim(), h.value ?? '']),
  );
  const target: JobInput['target'] =
    values.targetMode === 'url'
      ? { url: values.target.url.trim() }
      : { group: values.target.group.trim(), path: values.target.path.trim() };
  target.method = values.target.method;
  if (Object.keys(headers).length) target.headers = headers;
  if (given(values.target.connectTimeoutMs)) target.connectTimeoutMs = values.target.connectTimeoutMs;
  if (given(values.target.responseTimeoutMs)) target.responseTimeoutMs = values.target.responseTimeoutMs;
  const retention =
    given(values.retention.days) || given(values.retention.count)
      ? { days: values.retention.days ?? null, count: values.retention.count ?? null }
      : null;
  return {
    name: values.name.trim(),
    description: values.description ?? '',
    team: blankToNull(values.team),
    owner: blankToNull(values.owner),
    tags: values.tags,
    schedule: { cron: values.schedule.cron.trim(), timezone: values.schedule.timezone || 'UTC' },
    target,
    params: params.value,
    routing: values.routing,
    delivery: values.delivery,
    misfire: values.misfire,
    timeoutSec: values.timeoutSec ?? null,
    deadlineSec: values.deadlineSec ?? null,
    heartbeatSec: values.heartbeatSec ?? null,
    retry: { count: values.retry.count ?? 0, backoffSec: values.retry.backoffSec ?? 10 },
    alerts: {
      recipients: values.alerts.recipients,
      on: values.alerts.on,
      escalation: values.alerts.escalate
        ? {
            afterFailures: values.alerts.escalation.afterFailures ?? 3,
            recipients: values.alerts.escalation.recipients,
          }
        : null,
    },
    retention,
    enabled: values.enabled,
  };
}

/** Form fields by their dotted path; the API names the same fields, except these. */
const FORM_FIELDS = [
  'name',
  'description',
  'team',
  'owner',
  'tags',
  'schedule.cron',
  'schedule.timezone',
  'target.group',
  'target.path',
  'target.url',
  'target.method',
  'target.headers',
  'target.connectTimeoutMs',
  'target.responseTimeoutMs',
  'routing',
  'delivery',
  'misfire',
  'timeoutSec',
  'deadlineSec',
  'heartbeatSec',
  'retry.count',
  'retry.backoffSec',
  'alerts.recipients',
  'alerts.on',
  'alerts.escalation.afterFailures',
  'alerts.escalation.recipients',
  'retention.days',
  'retention.count',
  'enabled',
];
const RENAMED: Record<string, string> = {
  params: 'paramsText',
  target: 'targetMode',
  schedule: 'schedule.cron',
  retry: 'retry.count',
  alerts: 'alerts.recipients',
  retention: 'retention.days',
};

/**
 * The form field an API error names (`schedule.cron`, `tags.2`,
 * `target.headers.X-Team`, `params.day`), or null for an error of the whole job.
 */
export function formFieldOf(apiField: string | undefined): string[] | null {
  if (!apiField) return null;
  let best: string | null = null;
  for (const field of FORM_FIELDS) {
    if ((apiField === field || apiField.startsWith(`${field}.`)) && (!best || field.length > best.length)) {
      best = field;
    }
  }
  if (!best) {
    const head = apiField.split('.')[0] ?? '';
    best = RENAMED[apiField] ?? RENAMED[head] ?? null;
  }
  return best ? best.split('.') : null;
}
