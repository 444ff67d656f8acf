/**
 * A job as the API receives it, turned into a complete JobSpec: defaults
 * applied, and every rule the JSON schema cannot express checked with an
 * error that names the field.
 */
import type { JobInput } from '../api/schemas.js';
import { parseSchedule, ScheduleError } from '../cron/schedule.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RESPONSE_TIMEOUT_MS,
  type JobRetention,
  type JobSpec,
} from '../domain/job.js';
import { DEFAULT_TEAM } from '../domain/user.js';
import { ApiError, invalid } from '../errors.js';

export interface JobInputDefaults {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  defaultDeadlineSec: number;
}

/** A retention without any limit is the same as none: both read back as null. */
function toRetention(input: JobInput['retention']): JobRetention | null {
  const days = input?.days ?? null;
  const count = input?.count ?? null;
  return days === null && count === null ? null : { days, count };
}

export function toJobSpec(input: JobInput, defaults: JobInputDefaults): JobSpec {
  const timezone = input.schedule.timezone ?? 'UTC';
  try {
    parseSchedule(input.schedule.cron, timezone);
  } catch (err) {
    if (err instanceof ScheduleError) throw new ApiError('validation_error', err.message, err.field);
    throw err;
  }

  const t = input.target;
  const hasGroup = t.group !== undefined;
  const hasUrl = t.url !== undefined;
  if (hasGroup === hasUrl) throw invalid('target', 'give either group (with path) or url, not both');
  if (hasGroup && t.path === undefined) throw invalid('target.path', 'required with target.group');
  if (hasUrl && t.path !== undefined)
    throw invalid('target.path', 'not allowed with target.url (put the path in the url)');
  if (hasUrl) {
    try {
      new URL(t.url as string);
    } catch {
      throw invalid('target.url', `not a valid URL: ${JSON.stringify(t.url)}`);
    }
  }
  for (const name of Object.keys(t.headers ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
      throw invalid(`target.headers.${name}`, 'not a valid header name');
    if (
      name.toLowerCase().startsWith('x-jobcenter-') ||
      ['content-type', 'content-length', 'host'].includes(name.toLowerCase())
    ) {
      throw invalid(`target.headers.${name}`, 'this header is set by JobCenter');
    }
  }

  const routing = input.routing ?? 'random';
  const delivery = input.delivery ?? 'once';

  const timeoutSec = input.timeoutSec ?? null;
  const deadlineSec = input.deadlineSec ?? null;
  const effectiveDeadline = deadlineSec ?? defaults.defaultDeadlineSec;
  if (timeoutSec !== null && effectiveDeadline <= timeoutSec) {
    throw invalid(
      deadlineSec === null ? 'timeoutSec' : 'deadlineSec',
      deadlineSec === null
        ? `must be shorter than the server's default deadline (${defaults.defaultDeadlineSec} s)`
        : `must exceed timeoutSec (${timeoutSec}), got ${deadlineSec}`,
    );
  }

  const tags = [...new Set(input.tags ?? [])];
  return {
    name: input.name,
    description: input.description ?? '',
    team: input.team ?? DEFAULT_TEAM,
    owner: input.owner ?? null,
    tags,
    schedule: { cron: input.schedule.cron.trim().replace(/\s+/g, ' '), timezone },
    target: {
      group: t.group ?? null,
      path: t.path ?? null,
      url: t.url ?? null,
      method: t.method ?? 'POST',
      headers: t.headers ?? {},
      connectTimeoutMs: t.connectTimeoutMs ?? defaults.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: t.responseTimeoutMs ?? defaults.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS,
    },
    params: input.params ?? {},
    routing,
    delivery,
    timeoutSec,
    deadlineSec,
    heartbeatSec: input.heartbeatSec ?? null,
    retry: { count: input.retry?.count ?? 0, backoffSec: input.retry?.backoffSec ?? 10 },
    misfire: input.misfire ?? 'skip',
    alerts: {
      recipients: input.alerts?.recipients ?? [],
      on: [...new Set(input.alerts?.on ?? [])],
      ...(input.alerts?.escalation ? { escalation: input.alerts.escalation } : {}),
    },
    retention: toRetention(input.retention),
    enabled: input.enabled ?? true,
  };
}
