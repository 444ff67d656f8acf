/**
 * Request and response schemas (TypeBox): Fastify validates with them and
 * the OpenAPI document is generated from them.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ALERT_EVENTS, DELIVERIES, MISFIRE_POLICIES, ROUTINGS } from '../domain/job.js';
import { MAX_RETENTION_COUNT, MAX_RETENTION_DAYS } from '../domain/retention.js';
import { NOTIFY_STATUSES, RUN_STATUSES, TRIGGERS } from '../domain/run.js';

/** A string enum that validates with one clear error ("must be equal to one of the allowed values"). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Seconds with up to three decimals. */
const Seconds = (description: string) =>
  Type.Number({ exclusiveMinimum: 0, maximum: 31_536_000, multipleOf: 0.001, description });

export const JOB_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]*$';
const NAME = Type.String({ pattern: JOB_NAME_PATTERN, minLength: 1, maxLength: 128 });
const Iso = Type.String({ format: 'date-time' });
const RECIPIENT = Type.String({
  pattern: '^(user|team|email|sms|channel):.+$',
  maxLength: 256,
  description: 'user:NAME, team:NAME, email:ADDRESS, sms:NUMBER or channel:NAME',
});
const TEAM = Type.String({
  pattern: JOB_NAME_PATTERN,
  minLength: 1,
  maxLength: 128,
  description: 'The owning team (default "default"): its members may see and act on this per their role',
});

export const JobTargetInput = Type.Object(
  {
    group: Type.Optional(
      Type.String({
        pattern: JOB_NAME_PATTERN,
        maxLength: 128,
        description: 'Worker group whose members are notified',
      }),
    ),
    path: Type.Optional(
      Type.String({ pattern: '^/', maxLength: 2048, description: 'Path appended to the member URL' }),
    ),
    url: Type.Optional(
      Type.String({
        pattern: '^https?://',
        maxLength: 2048,
        description: 'Absolute URL instead of group + path',
      }),
    ),
    method: Type.Optional(StringEnum(['POST', 'GET'] as const, { description: 'Default POST' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 4096 }))),
    connectTimeoutMs: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 600_000, description: 'Default 3000' }),
    ),
    responseTimeoutMs: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 86_400_000, description: 'Default 30000' }),
    ),
  },
  { additionalProperties: false },
);

export const RetentionInput = Type.Object(
  {
    days: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 1,
          maximum: MAX_RETENTION_DAYS,
          description:
            'Finished runs scheduled more than this many days ago are removed; null: the server default',
        }),
      ),
    ),
    count: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 1,
          maximum: MAX_RETENTION_COUNT,
          description: 'Only the newest this many runs are kept; null: the server default',
        }),
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'History limits of this job; a run is removed when either says so. Null: the server defaults',
  },
);

export const JobInput = Type.Object(
  {
    name: NAME,
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    team: Type.Optional(Nullable(TEAM)),
    owner: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[^,]+$' }), { maxItems: 50 }),
    ),
    schedule: Type.Object(
      {
        cron: Type.String({
          minLength: 1,
          maxLength: 256,
          description: '5 fields, or 6 with leading seconds',
        }),
        timezone: Type.Optional(
          Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, default UTC' }),
        ),
      },
      { additionalProperties: false },
    ),
    target: JobTargetInput,
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    routing: Type.Optional(StringEnum(ROUTINGS, { description: 'Default random' })),
    delivery: Type.Optional(StringEnum(DELIVERIES, { description: 'Default once' })),
    timeoutSec: Type.Optional(Nullable(Seconds('Timeout warning threshold; null for none'))),
    deadlineSec: Type.Optional(
      Nullable(Seconds('No result by then: lost; null for the server default (24 h)')),
    ),
    heartbeatSec: Type.Optional(Nullable(Seconds('A running run silent this long is lost; null for none'))),
    retry: Type.Optional(
      Type.Object(
        {
          count: Type.Integer({ minimum: 0, maximum: 100 }),
          backoffSec: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400, multipleOf: 0.001 })),
        },
        { additionalProperties: false },
      ),
    ),
    misfire: Type.Optional(StringEnum(MISFIRE_POLICIES, { description: 'Default skip' })),
    alerts: Type.Optional(
      Type.Object(
        {
          recipients: Type.Optional(Type.Array(RECIPIENT, { maxItems: 100 })),
          on: Type.Optional(Type.Array(StringEnum(ALERT_EVENTS), { maxItems: 20 })),
          escalation: Type.Optional(
            Nullable(
              Type.Object(
                {
                  afterFailures: Type.Integer({ minimum: 1, maximum: 1000 }),
                  recipients: Type.Array(RECIPIENT, { minItems: 1, maxItems: 100 }),
                },
                {
                  additionalProperties: false,
                  description: 'After this many failures in a row, also alert these',
                },
              ),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    retention: Type.Optional(Nullable(RetentionInput)),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type JobInput = Static<typeof JobInput>;

export const RunSummary = Type.Object({
  id: Type.String(),
  scheduledAt: Iso,
  firedAt: Nullable(Iso),
  finishedAt: Nullable(Iso),
  durationMs: Nullable(Type.Number()),
  status: StringEnum(RUN_STATUSES),
  notifyStatus: StringEnum(NOTIFY_STATUSES),
  timedOut: Type.Boolean(),
  trigger: StringEnum(TRIGGERS),
});

export const JobView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  team: Nullable(Type.String()),
  owner: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  schedule: Type.Object({ cron: Type.String(), timezone: Type.String() }),
  target: Type.Object({
    group: Nullable(Type.String()),
    path: Nullable(Type.String()),
    url: Nullable(Type.String()),
    method: Type.String(),
    headers: Type.Record(Type.String(), Type.String()),
    connectTimeoutMs: Type.Integer(),
    responseTimeoutMs: Type.Integer(),
  }),
  params: Type.Record(Type.String(), Type.Unknown()),
  routing: StringEnum(ROUTINGS),
  delivery: StringEnum(DELIVERIES),
  timeoutSec: Nullable(Type.Number()),
  deadlineSec: Nullable(Type.Number()),
  heartbeatSec: Nullable(Type.Number()),
  retry: Type.Object({ count: Type.Integer(), backoffSec: Type.Number() }),
  misfire: StringEnum(MISFIRE_POLICIES),
  alerts: Type.Object({
    recipients: Type.Array(Type.String()),
    on: Type.Array(Type.String()),
    escalation: Type.Optional(
      Type.Object({ afterFailures: Type.Integer(), recipients: Type.Array(Type.String()) }),
    ),
  }),
  retention: Nullable(
    Type.Object(
      { days: Nullable(Type.Integer()), count: Nullable(Type.Integer()) },
      { description: 'Null limits take the server defaults (retentionDays, retentionCount)' },
    ),
  ),
  enabled: Type.Boolean(),
  createdAt: Iso,
  updatedAt: Iso,
  nextFireAt: Nullable(Iso),
  lastRun: Nullable(RunSummary),
  secret: Type.Optional(Type.String({ description: 'Only in the 201 answer, for an absolute target.url' })),
});
export type JobView = Static<typeof JobView>;

export const AttemptView = Type.Object({
  n: Type.Integer(),
  member: Type.String(),
  sentAt: Iso,
  httpStatus: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  latencyMs: Nullable(Type.Number()),
  shard: Type.Optional(Type.Integer({ description: 'Broadcast: the shard this attempt was for' })),
});

export const RunEventView = Type.Object({
  at: Iso,
  progress: Nullable(Type.Number()),
  message: Nullable(Type.String()),
  log: Type.Array(Type.String()),
});

export const ShardView = Type.Object({
  index: Type.Integer(),
  member: Type.String(),
  notifyStatus: StringEnum(NOTIFY_STATUSES),
  status: StringEnum(RUN_STATUSES),
  firedAt: Nullable(Iso),
  finishedAt: Nullable(Iso),
  durationMs: Nullable(Type.Number()),
  progress: Nullable(Type.Number()),
  message: Nullable(Type.String()),
  output: Type.Unknown(),
  lateResult: Type.Unknown(),
});

export const RunView = Type.Object({
  id: Type.String(),
  jobId: Type.String(),
  job: Type.String(),
  trigger: StringEnum(TRIGGERS),
  scheduledAt: Iso,
  firedAt: Nullable(Iso),
  finishedAt: Nullable(Iso),
  durationMs: Nullable(Type.Number()),
  status: StringEnum(RUN_STATUSES),
  notifyStatus: StringEnum(NOTIFY_STATUSES),
  timedOut: Type.Boolean(),
  progress: Nullable(Type.Number()),
  message: Nullable(Type.String()),
  output: Type.Unknown(),
  lateResult: Type.Unknown(),
  retryOf: Nullable(Type.String()),
  member: Nullable(Type.String()),
  params: Type.Record(Type.String(), Type.Unknown()),
  truncated: Type.Boolean(),
  attempts: Type.Array(AttemptView),
  shards: Type.Array(ShardView),
  retries: Type.Optional(
    Type.Array(Type.Object({ id: Type.String(), status: StringEnum(RUN_STATUSES), scheduledAt: Iso }), {
      description: 'The re-runs of this run (trigger "retry"), oldest first',
    }),
  ),
  events: Type.Optional(Type.Array(RunEventView)),
});
export type RunView = Static<typeof RunView>;

export const MemberInput = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
  },
  { additionalProperties: false },
);

export const ProbeInput = Type.Object(
  {
    path: Type.Optional(
      Type.String({
        pattern: '^/',
        maxLength: 2048,
        description: 'Appended to each member URL. Default "/healthz"',
      }),
    ),
    intervalSec: Type.Optional(
      Type.Number({
        minimum: 1,
        maximum: 86_400,
        multipleOf: 0.001,
        description: 'Seconds between two probes of one member. Default 10',
      }),
    ),
  },
  { additionalProperties: false },
);

export const GroupInput = Type.Object(
  {
    name: NAME,
    team: Type.Optional(Nullable(TEAM)),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    members: Type.Optional(Type.Array(MemberInput, { maxItems: 1000 })),
    probe: Type.Optional(
      Type.Union([ProbeInput, Type.Null()], {
        description: 'Active health check: GET {member.url}{path} every intervalSec. Default null: none',
      }),
    ),
    secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 128, description: 'Generated when absent' }),
    ),
  },
  { additionalProperties: false },
);
export type GroupInput = Static<typeof GroupInput>;

export const MemberView = Type.Object({
  url: Type.String(),
  name: Nullable(Type.String()),
  dynamic: Type.Boolean({ description: 'Joined by heartbeat; leaves when silent for memberExpiryMs' }),
  healthy: Type.Boolean({ description: 'As this node sees it (deliveries, lost runs, probes)' }),
  lastSeenAt: Nullable(Type.String({ format: 'date-time', description: 'The latest heartbeat' })),
  runningCount: Type.Integer({ description: 'Runs with status running on this member' }),
  lastError: Nullable(Type.String()),
  lastErrorAt: Nullable(Type.String({ format: 'date-time' })),
});
export type MemberView = Static<typeof MemberView>;

export const GroupView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  team: Nullable(Type.String()),
  description: Type.String(),
  members: Type.Array(MemberView),
  probe: Nullable(Type.Object({ path: Type.String(), intervalSec: Type.Number() })),
  createdAt: Iso,
  updatedAt: Iso,
  secret: Type.Optional(Type.String({ description: 'Only on creation and in the reveal/rotate answers' })),
});
export type GroupView = Static<typeof GroupView>;

export const HeartbeatInput = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      maxLength: 2048,
      description: 'The member URL triggers go to',
    }),
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
  },
  { additionalProperties: false },
);
export type HeartbeatInput = Static<typeof HeartbeatInput>;

export const HeartbeatView = Type.Object({
  group: Type.String(),
  url: Type.String(),
  dynamic: Type.Boolean({ description: 'False when the URL is a listed (static) member' }),
  lastSeenAt: Iso,
  expiresAt: Nullable(
    Type.String({
      format: 'date-time',
      description: 'When a dynamic member leaves without another heartbeat; null for a static member',
    }),
  ),
});

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
});

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1024 })),
};

export const listOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const RunResultInput = Type.Object(
  {
    status: StringEnum(['succeeded', 'failed'] as const),
    message: Type.Optional(Nullable(Type.String())),
    output: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const ProgressInput = Type.Object(
  {
    progress: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    message: Type.Optional(Type.String()),
    log: Type.Optional(Type.Array(Type.String(), { maxItems: 10_000 })),
  },
  { additionalProperties: false },
);
