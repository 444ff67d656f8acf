/** The JSON the JobCenter API answers (docs/protocol.md §3–§6), as the console reads it. */

export const RUN_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'lost',
  'cancelled',
  'missed',
  'skipped',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const NOTIFY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type NotifyStatus = (typeof NOTIFY_STATUSES)[number];

export const TRIGGERS = ['schedule', 'manual', 'retry', 'catchup'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const ROUTINGS = ['random', 'first', 'round_robin', 'least_busy', 'broadcast'] as const;
export type Routing = (typeof ROUTINGS)[number];

export const DELIVERIES = ['once', 'until_delivered', 'until_delivered_if_idle'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export const MISFIRE_POLICIES = ['skip', 'fire_once'] as const;
export type Misfire = (typeof MISFIRE_POLICIES)[number];

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

/** What an alert message is about: an event, a digest of throttled ones, or a channel test. */
export const ALERT_KINDS = [...ALERT_EVENTS, 'digest', 'test'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_STATUSES = ['pending', 'sent', 'failed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const CHANNEL_TYPES = ['email', 'sms', 'dingtalk', 'feishu', 'wecom', 'slack', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const TEAM_ROLES = ['viewer', 'operator', 'editor', 'owner'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface RunSummary {
  id: string;
  scheduledAt: string;
  firedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  status: RunStatus;
  notifyStatus: NotifyStatus;
  timedOut: boolean;
  trigger: Trigger;
}

export interface JobTarget {
  group: string | null;
  path: string | null;
  url: string | null;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

/** A job's alert settings (PROTOCOL.md §4): empty lists take the server's defaults. */
export interface JobAlerts {
  /** `user:NAME`, `team:NAME`, `email:ADDRESS`, `sms:NUMBER`, `channel:NAME`. */
  recipients: string[];
  on: string[];
  /** After this many failures in a row, alerts also go to these recipients. */
  escalation?: { afterFailures: number; recipients: string[] } | null;
}

export interface Job {
  id: string;
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
  timeoutSec: number | null;
  deadlineSec: number | null;
  heartbeatSec: number | null;
  retry: { count: number; backoffSec: number };
  misfire: Misfire;
  alerts: JobAlerts;
  retention: { days: number | null; count: number | null } | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  nextFireAt: string | null;
  lastRun: RunSummary | null;
  /** Only in the answer that created the secret (absolute target.url). */
  secret?: string;
}

/** What `POST /jobs` and `PUT /jobs/{job}` take (PROTOCOL.md §4). */
export interface JobInput {
  name: string;
  description?: string;
  team?: string | null;
  owner?: string | null;
  tags?: string[];
  schedule: { cron: string; timezone?: string };
  target: {
    group?: string;
    path?: string;
    url?: string;
    method?: 'POST' | 'GET';
    headers?: Record<string, string>;
    connectTimeoutMs?: number;
    responseTimeoutMs?: number;
  };
  params?: Record<string, unknown>;
  routing?: Routing;
  delivery?: Delivery;
  timeoutSec?: number | null;
  deadlineSec?: number | null;
  heartbeatSec?: number | null;
  retry?: { count: number; backoffSec?: number };
  misfire?: Misfire;
  alerts?: {
    recipients?: string[];
    on?: AlertEvent[];
    escalation?: { afterFailures: number; recipients: string[] } | null;
  };
  retention?: { days?: number | null; count?: number | null } | null;
  enabled?: boolean;
}

export interface Attempt {
  n: number;
  member: string;
  sentAt: string;
  httpStatus: number | null;
  error: string | null;
  latencyMs: number | null;
  shard?: number;
}

export interface Shard {
  index: number;
  member: string;
  notifyStatus: NotifyStatus;
  status: RunStatus;
  firedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  progress: number | null;
  message: string | null;
  output: unknown;
  lateResult: unknown;
}

export interface RunEvent {
  at: string;
  progress: number | null;
  message: string | null;
  log: string[];
}

export interface Run extends RunSummary {
  jobId: string;
  job: string;
  progress: number | null;
  message: string | null;
  output: unknown;
  lateResult: unknown;
  retryOf: string | null;
  member: string | null;
  params: Record<string, unknown>;
  truncated: boolean;
  attempts: Attempt[];
  shards: Shard[];
  retries?: { id: string; status: RunStatus; scheduledAt: string }[];
  events?: RunEvent[];
}

export interface TrendPoint {
  runId: string;
  at: string;
  durationMs: number | null;
  status: RunStatus;
  timedOut: boolean;
}

export interface Trend {
  points: TrendPoint[];
  /** Set when the range held too many runs: one point per bucket of this size. */
  bucketMs: number | null;
}

export interface Member {
  url: string;
  name: string | null;
  dynamic: boolean;
  healthy: boolean;
  lastSeenAt: string | null;
  runningCount: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface WorkerGroup {
  id: string;
  name: string;
  team: string | null;
  description: string;
  members: Member[];
  probe: { path: string; intervalSec: number } | null;
  createdAt: string;
  updatedAt: string;
  secret?: string;
}

export interface GroupInput {
  name: string;
  team?: string | null;
  description?: string;
  members?: { url: string; name?: string | null }[];
  probe?: { path?: string; intervalSec?: number } | null;
}

export interface Overview {
  jobs: { total: number; enabled: number; paused: number };
  runs24h: Record<RunStatus, number> & { timedOut: number };
  runningNow: {
    count: number;
    items: {
      runId: string;
      jobId: string;
      job: string;
      status: RunStatus;
      scheduledAt: string;
      firedAt: string | null;
      progress: number | null;
      member: string | null;
    }[];
  };
  recentFailures: {
    runId: string;
    jobId: string;
    job: string;
    status: RunStatus;
    scheduledAt: string;
    finishedAt: string | null;
    message: string | null;
    timedOut: boolean;
  }[];
  jobsPerTeam: { team: string | null; total: number; enabled: number; paused: number }[];
}

export interface CronFire {
  at: string;
  /** Local time with the zone's offset: `2027-03-14T03:00:00-04:00`. */
  local: string;
}

export interface TeamGrant {
  team: string;
  role: TeamRole;
}

export interface Me {
  id: string;
  name: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  source: 'local' | 'directory';
  admin: boolean;
  teams: TeamGrant[];
}

export interface Session {
  user: Me;
  csrfToken: string;
}

/** `GET /users`: contact details, the admin flag and roles only for admins and the user themself. */
export interface User {
  id: string;
  name: string;
  displayName: string | null;
  source: 'local' | 'directory';
  disabled: boolean;
  email?: string | null;
  phone?: string | null;
  admin?: boolean;
  hasPassword?: boolean;
  memberships?: (TeamGrant & { source: 'local' | 'directory' })[];
  createdAt?: string;
  lastLoginAt?: string | null;
}

export interface UserInput {
  name?: string;
  displayName?: string | null;
  email?: string | null;
  phone?: string | null;
  password?: string;
  admin?: boolean;
}

export interface Team {
  name: string;
  description?: string;
  members?: { user: string; role: TeamRole }[];
  createdAt?: string;
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt?: string;
  expiresAt: string | null;
  lastUsedAt?: string | null;
  scope?: { admin?: boolean; teams?: TeamGrant[] } | null;
}

export interface TokenInput {
  name: string;
  expiresAt?: string;
  scope?: { admin?: boolean; teams?: TeamGrant[] };
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string | null;
  action: string;
  targetType: string | null;
  target: string | null;
  team: string | null;
  ip: string | null;
  details: unknown;
}

/** The answer of `POST /jobs/{job}/test-trigger`: one member's answer to a test trigger. */
export interface TestTriggerResult {
  /** The id the trigger carried; no such run is stored. */
  runId: string;
  member: string;
  url: string;
  sentAt: string;
  httpStatus: number | null;
  latencyMs: number;
  /** accepted (202), finished (a synchronous result), failed (anything else, with `error`). */
  outcome: 'accepted' | 'finished' | 'failed';
  result: { status: string; message: string | null; output: unknown } | null;
  error: string | null;
  /** The start of the answer's body, as text. */
  body: string | null;
}

/** `GET /alert-channels`: a channel's settings; its credentials only by name (`secretSet`). */
export interface AlertChannel {
  name: string;
  type: ChannelType;
  config: Record<string, unknown>;
  /** The names of the credentials that are set, e.g. `["password"]`; never their values. */
  secretSet: string[];
  enabled: boolean;
  /** The channel `email:`/`sms:` recipients and users go through, for its type. */
  default: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What `POST /alert-channels` and `PUT /alert-channels/{name}` take; on PUT a missing `secret` keeps the stored one. */
export interface ChannelInput {
  name: string;
  type: ChannelType;
  config?: Record<string, unknown>;
  secret?: Record<string, unknown>;
  enabled?: boolean;
  default?: boolean;
}

/** The answer of `POST /alert-channels/{name}/test`. */
export interface ChannelTestResult {
  ok: boolean;
  error: string | null;
  latencyMs: number;
}

/** `GET /alerts`: one message to one recipient, and how its delivery went. */
export interface AlertMessage {
  id: string;
  kind: AlertKind;
  jobId: string | null;
  job: string | null;
  team: string | null;
  runId: string | null;
  channel: string;
  recipient: string;
  subject: string;
  status: AlertStatus;
  attempts: number;
  /** When a pending message is tried again. */
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** A team's maintenance window: alerts of its jobs stay quiet from `startsAt` to `endsAt`. */
export interface MaintenanceWindow {
  id: string;
  team: string;
  startsAt: string;
  endsAt: string;
  reason: string;
  createdBy: string | null;
}
