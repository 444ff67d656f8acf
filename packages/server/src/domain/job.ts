/** A job as PROTOCOL.md §4 defines it, with every default applied. */

export const ROUTINGS = ['random', 'first', 'round_robin', 'least_busy', 'broadcast'] as const;
export type Routing = (typeof ROUTINGS)[number];

export const DELIVERIES = ['once', 'until_delivered', 'until_delivered_if_idle'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export const MISFIRE_POLICIES = ['skip', 'fire_once'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

export const ALERT_EVENTS = [
  'failed',
  'notify_failed',
  'timeout',
  'missed',
  'skipped',
  'lost',
  'recovered',
] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

/**
 * How much finished run history a job keeps (an extension of PROTOCOL.md §4).
 * A null limit takes the server's default for that dimension; a run is
 * removed when either limit says so.
 */
export interface JobRetention {
  /** Finished runs scheduled more than this many days ago are removed; null: the server's `retentionDays`. */
  days: number | null;
  /** Only the newest this many runs are kept; null: the server's `retentionCount`. */
  count: number | null;
}

export interface JobTarget {
  /** The worker group whose members are notified (with `path`), or absent for an absolute `url`. */
  group: string | null;
  path: string | null;
  url: string | null;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  /** Milliseconds to open a connection. Default 3,000. */
  connectTimeoutMs: number;
  /** Milliseconds to wait for the answer once connected. Default 30,000. */
  responseTimeoutMs: number;
}

export interface JobSpec {
  name: string;
  description: string;
  team: string | null;
  owner: string | null;
  tags: string[];
  schedule: { cron: string; timezone: string };
  target: JobTarget;
  params: Record<string, unknown>;
  routing: Routing;
  delivery: Delivery;
  /** Seconds after `firedAt` at which an unfinished run is flagged `timedOut`; null for none. */
  timeoutSec: number | null;
  /** Seconds after `firedAt` at which an unfinished run becomes `lost`; null: the server default. */
  deadlineSec: number | null;
  /** Seconds of silence after which a running run is `lost`; null for none. */
  heartbeatSec: number | null;
  retry: { count: number; backoffSec: number };
  misfire: MisfirePolicy;
  alerts: {
    recipients: string[];
    on: AlertEvent[];
    /** After this many failures in a row, alerts also go to these recipients. */
    escalation?: { afterFailures: number; recipients: string[] };
  };
  /** Own history limits; null: the server's defaults for both. */
  retention: JobRetention | null;
  enabled: boolean;
}

export interface Job extends JobSpec {
  id: string;
  /** The job's own signing secret, for an absolute `target.url`; null for group targets. */
  secret: string | null;
  createdAt: number;
  updatedAt: number;
  /** Fires at or before this instant are never planned for this job (creation, resume, schedule edit). */
  plannedFrom: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
export const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;
