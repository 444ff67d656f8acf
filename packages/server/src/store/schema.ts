/**
 * Table shapes as Kysely sees them. Times are epoch milliseconds (BIGINT in
 * PostgreSQL, INTEGER in SQLite); flags are 0/1 integers; JSON is text. The
 * same types then hold on both dialects.
 */
import type { Generated } from 'kysely';

export interface JobsTable {
  id: string;
  name: string;
  team: string | null;
  owner: string | null;
  description: string;
  /** JSON array of strings; also searchable as `,tag1,tag2,` in `tags_index`. */
  tags: string;
  tags_index: string;
  cron: string;
  timezone: string;
  target_group: string | null;
  /** The rest of the job spec as JSON (target, params, routing, delivery, limits, alerts). */
  spec: string;
  secret: string | null;
  enabled: number;
  /** The job's own retention limits (migration 005); null: the server's. Columns, so the pruner reads no JSON. */
  retention_days: number | null;
  retention_count: number | null;
  planned_from: number;
  created_at: number;
  updated_at: number;
}

export interface WorkerGroupsTable {
  id: string;
  name: string;
  team: string | null;
  description: string;
  secret: string;
  /** The active probe's path and interval; both null for a group without probe. */
  probe_path: string | null;
  probe_interval_ms: number | null;
  created_at: number;
  updated_at: number;
}

export interface GroupMembersTable {
  group_id: string;
  url: string;
  name: string | null;
  /** Order of a static member in its group; 0 and unused for dynamic members. */
  position: number;
  /** 1: joined by heartbeat and leaves when silent; 0: listed in the group. */
  dynamic: number;
  /** The latest heartbeat from this URL, or null. */
  last_seen_at: number | null;
  /** Static: when listed; dynamic: when it (re)joined, which orders the dynamic members. */
  created_at: number;
}

export interface RunsTable {
  id: string;
  job_id: string;
  job_name: string;
  trigger: string;
  scheduled_at: number;
  /** `scheduled_at` for schedule and catchup runs, null otherwise: unique with job_id. */
  fire_key: number | null;
  fired_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  status: string;
  notify_status: string;
  timed_out: number;
  progress: number | null;
  message: string | null;
  output: string | null;
  late_result: string | null;
  retry_of: string | null;
  member: string | null;
  params: string;
  timeout_at: number | null;
  deadline_at: number;
  attempt_count: number;
  next_attempt_at: number | null;
  last_heartbeat_at: number | null;
  log_bytes: number;
  truncated: number;
  created_at: number;
  /** Re-runs still allowed after this one (the job's retry.count, less the retries before it). */
  retries_left: number;
  /** The job's heartbeatSec in ms when the run was made; null for none. */
  heartbeat_ms: number | null;
  /** Broadcast: how many shards; 0 otherwise. */
  shard_total: number;
}

export interface RunShardsTable {
  run_id: string;
  idx: number;
  member: string;
  notify_status: string;
  status: string;
  fired_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  progress: number | null;
  message: string | null;
  output: string | null;
  last_heartbeat_at: number | null;
  /** A result that came after the shard was cancelled or lost, as JSON. */
  late_result: string | null;
}

export interface RoutingPositionsTable {
  job_id: string;
  /** The member index the next round-robin delivery starts from (modulo the member count). */
  next_index: number;
}

export interface AttemptsTable {
  run_id: string;
  n: number;
  member: string;
  sent_at: number;
  http_status: number | null;
  error: string | null;
  latency_ms: number | null;
  /** Broadcast: the shard this attempt was for; null otherwise. */
  shard: number | null;
}

export interface RunEventsTable {
  id: Generated<number>;
  run_id: string;
  at: number;
  progress: number | null;
  message: string | null;
  /** JSON array of log lines. */
  log: string | null;
}

/**
 * Every table whose rows belong to one run (by `run_id`). Removing a run
 * removes its rows in each of them; a new per-run table joins this list.
 */
export const RUN_CHILD_TABLES = [
  'attempts',
  'run_events',
  'run_shards',
] as const satisfies readonly (keyof Database)[];
export type RunChildTable = (typeof RUN_CHILD_TABLES)[number];

export interface LeasesTable {
  name: string;
  holder: string;
  epoch: number;
  expires_at: number;
  /** Every fire scheduled at or before this instant has been written (or recorded missed). */
  fired_through: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  role: string;
  created_at: number;
  last_used_at: number | null;
  /** The user the token acts for (migration 007). */
  user_id: string | null;
  /** JSON Grant; null: the owner's own rights at each call. */
  scope: string | null;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface TeamsTable {
  name: string;
  description: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  name: string;
  display_name: string | null;
  email: string | null;
  phone: string | null;
  /** 'local' or 'directory'. */
  source: string;
  password_hash: string | null;
  admin: number;
  /** Admin granted by a directory group; replaced at each directory login. */
  directory_admin: number;
  disabled: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export interface TeamMembersTable {
  team: string;
  user_id: string;
  /** 'local' (set by an owner or admin) or 'directory' (replaced at each directory login). */
  source: string;
  role: string;
  created_at: number;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  /** Absolute expiry; the idle expiry is last_seen_at + the configured idle time. */
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start: number;
  locked_until: number | null;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor: string | null;
  actor_kind: string;
  token_id: string | null;
  ip: string | null;
  action: string;
  target_type: string;
  target: string | null;
  team: string | null;
  /** JSON object. */
  details: string | null;
}

export interface JobTombstonesTable {
  job_id: string;
  name: string;
  team: string;
  deleted_at: number;
}

/** A closed minute of one job's runs, summarised for the trend chart. */
export interface TrendMinutesTable {
  job_id: string;
  minute: number;
  runs: number;
  severity: number;
  max_duration_ms: number | null;
  timed_out: number;
  last_run_id: string;
}

/** Up to where a job's closed minutes are rolled up. */
export interface TrendStateTable {
  job_id: string;
  rolled_until: number;
}

export interface AlertEventsTable {
  id: Generated<number>;
  job_id: string;
  run_id: string;
  kind: string;
  at: number;
  job_enabled: number;
}

export interface AlertChannelsTable {
  name: string;
  type: string;
  config: string;
  secret: string;
  enabled: number;
  is_default: number;
  created_at: number;
  updated_at: number;
}

export interface AlertMessagesTable {
  id: string;
  kind: string;
  job_id: string | null;
  job_name: string | null;
  team: string | null;
  run_id: string | null;
  channel: string;
  recipient: string;
  content: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface AlertStateTable {
  job_id: string;
  kind: string;
  window_until: number;
  suppressed: number;
  last_run_id: string | null;
}

export interface AlertEpisodesTable {
  job_id: string;
  failures: number;
  opened_at: number;
}

export interface MaintenanceWindowsTable {
  id: string;
  team: string;
  starts_at: number;
  ends_at: number;
  reason: string;
  created_by: string | null;
  created_at: number;
}

export interface Database {
  jobs: JobsTable;
  worker_groups: WorkerGroupsTable;
  group_members: GroupMembersTable;
  runs: RunsTable;
  attempts: AttemptsTable;
  run_events: RunEventsTable;
  leases: LeasesTable;
  settings: SettingsTable;
  api_tokens: ApiTokensTable;
  trend_minutes: TrendMinutesTable;
  trend_state: TrendStateTable;
  run_shards: RunShardsTable;
  routing_positions: RoutingPositionsTable;
  teams: TeamsTable;
  users: UsersTable;
  team_members: TeamMembersTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  audit_log: AuditLogTable;
  job_tombstones: JobTombstonesTable;
  alert_events: AlertEventsTable;
  alert_channels: AlertChannelsTable;
  alert_messages: AlertMessagesTable;
  alert_state: AlertStateTable;
  alert_episodes: AlertEpisodesTable;
  maintenance_windows: MaintenanceWindowsTable;
}
