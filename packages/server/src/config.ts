/**
 * The one validated configuration object, built from (in rising priority)
 * defaults, an optional JSON file, environment variables and flags. Every
 * key is documented in docs/configuration.md.
 */
import { readFileSync } from 'node:fs';
import { type DirectoryConfig, parseDirectoryConfig } from './auth/directory-config.js';
import type { AlertPolicy } from './domain/alert-policy.js';
import { DEFAULT_REPORT_LIMITS, type ReportLimits } from './domain/callback-rules.js';
import { ALERT_EVENTS } from './domain/job.js';
import { MAX_RETENTION_DAYS } from './domain/retention.js';

export interface Config {
  /** Address to listen on. Default 127.0.0.1. */
  host: string;
  /** Port to listen on. Default 8080. */
  port: number;
  /** Folder for the SQLite file and other local state. Default ./data. */
  dataDir: string;
  /** PostgreSQL URL; absent: SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** Base URL of this server as workers reach it, for callback URLs. Default http://<host>:<bound port>. */
  publicUrl: string | undefined;
  /** On a store with no user yet, creates the admin user `admin` and an API token of it with this value. */
  bootstrapToken: string | undefined;
  /** A console session unused this long ends, ms. Default 28,800,000 (8 h). */
  sessionIdleMs: number;
  /** A console session ends this long after login whatever its use, ms. Default 86,400,000 (24 h). */
  sessionMaxMs: number;
  /** Failed logins of one user name, within loginWindowMs, that lock that name. Default 5. */
  loginMaxFailures: number;
  /** Failed logins from one address, within loginWindowMs, that lock that address. Default 20. */
  loginAddressMaxFailures: number;
  /** Window in which failed logins are counted, ms. Default 900,000 (15 min). */
  loginWindowMs: number;
  /** How long a locked user name or address is refused, ms. Default 900,000 (15 min). */
  loginLockMs: number;
  /** Audit entries older than this many days are removed; null keeps them. Default 365. */
  auditRetentionDays: number | null;
  /** Take the client address from X-Forwarded-For (behind a load balancer). Default false. */
  trustProxy: boolean;
  /** Serve /metrics without credentials; false: it needs a session or an API token. Default true. */
  publicMetrics: boolean;
  /** Directory (LDAP / Active Directory) login; null: local users only. Config file only. */
  directory: DirectoryConfig | null;
  /** How often the alert worker and the outbox look for work, ms. Default 1,000. */
  alertIntervalMs: number;
  /** One alert per job and kind within this window; the rest go in a digest when it closes, ms. Default 600,000 (10 min). */
  alertWindowMs: number;
  /** Language of alert messages: en or zh-CN. Default en. */
  alertLanguage: 'en' | 'zh-CN';
  /** A folder of template files overriding the built-in ones. Default none. */
  alertTemplatesDir: string | undefined;
  /** Time limit of one send, ms. Default 10,000. */
  alertSendTimeoutMs: number;
  /** Attempts per message before it is recorded failed. Default 8. */
  alertMaxAttempts: number;
  /** First retry delay of a message, ms; doubles each attempt. Default 5,000. */
  alertBackoffMs: number;
  /** Longest retry delay of a message, ms. Default 600,000. */
  alertBackoffMaxMs: number;
  /** Alert kinds, recipients and escalation for jobs that name none. Config file only. */
  alertDefaults: AlertPolicy;
  /** Log level (pino). Default info. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A name for this node in the lease and logs. Default hostname:pid. */
  nodeName: string | undefined;
  /** Leader lease time to live, ms. Default 5,000. */
  leaseTtlMs: number;
  /** Lease renewal (and standby retry) interval, ms. Default 1,000. */
  leaseRenewMs: number;
  /** How often timeouts and deadlines are checked, ms. Default 1,000. */
  monitorIntervalMs: number;
  /** First delivery retry delay for until_delivered, ms; doubles each round. Default 1,000. */
  deliveryBackoffMs: number;
  /** Longest delivery retry delay, ms. Default 60,000. */
  deliveryBackoffMaxMs: number;
  /** Deadline of jobs whose deadlineSec is null, seconds. Default 86,400 (24 h). */
  defaultDeadlineSec: number;
  /** A fire found later than this (event loop stalled, clock jumped) is a misfire, ms. Default 60,000. */
  misfireThresholdMs: number;
  /** Missed rows recorded per job per outage before one summary row. Default 1,000. */
  maxMissedPerJob: number;
  /** Default connect timeout of triggers, ms. Default 3,000. */
  connectTimeoutMs: number;
  /** Default response timeout of triggers, ms. Default 30,000. */
  responseTimeoutMs: number;
  /** Bytes of a worker's answer read at most; a larger sync answer is recorded failed. Default 1,048,576. */
  maxResponseBytes: number;
  /** Concurrent connections per worker member. Default 64. */
  connectionsPerMember: number;
  /** Caps on stored message, output and log per run. */
  reportLimits: ReportLimits;
  /** How long SIGTERM waits for in-flight deliveries, ms. Default 10,000. */
  shutdownGraceMs: number;
  /** A dynamic member silent this long leaves its group, ms. Default 30,000. */
  memberExpiryMs: number;
  /** How often each node re-reads groups and dynamic members from the database, ms. Default 5,000. */
  memberRefreshMs: number;
  /** Consecutive failed deliveries after which a member is unhealthy. Default 3. */
  memberFailureThreshold: number;
  /** Connect and answer timeout of one member probe, ms. Default 2,000. */
  memberProbeTimeoutMs: number;
  /** Finished runs scheduled more than this many days ago are removed, unless a job sets its own; null keeps them. Default 90. */
  retentionDays: number | null;
  /** Runs kept per job at most (the newest), unless a job sets its own; null: no count limit. Default null. */
  retentionCount: number | null;
  /** How often outgrown run history is pruned, ms. Default 60,000. */
  retentionIntervalMs: number;
  /** Runs removed per statement (and transaction) while pruning; at most 10,000. Default 500. */
  retentionBatchSize: number;
}

export const DEFAULTS: Config = {
  publicUrl: undefined,
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  databaseUrl: undefined,
  bootstrapToken: undefined,
  sessionIdleMs: 28_800_000,
  sessionMaxMs: 86_400_000,
  loginMaxFailures: 5,
  loginAddressMaxFailures: 20,
  loginWindowMs: 900_000,
  loginLockMs: 900_000,
  auditRetentionDays: 365,
  trustProxy: false,
  publicMetrics: true,
  directory: null,
  alertIntervalMs: 1_000,
  alertWindowMs: 600_000,
  alertLanguage: 'en',
  alertTemplatesDir: undefined,
  alertSendTimeoutMs: 10_000,
  alertMaxAttempts: 8,
  alertBackoffMs: 5_000,
  alertBackoffMaxMs: 600_000,
  alertDefaults: { on: ['failed', 'notify_failed', 'lost', 'missed'], recipients: [], escalation: null },
  logLevel: 'info',
  nodeName: undefined,
  leaseTtlMs: 5_000,
  leaseRenewMs: 1_000,
  monitorIntervalMs: 1_000,
  deliveryBackoffMs: 1_000,
  deliveryBackoffMaxMs: 60_000,
  defaultDeadlineSec: 86_400,
  misfireThresholdMs: 60_000,
  maxMissedPerJob: 1_000,
  connectTimeoutMs: 3_000,
  responseTimeoutMs: 30_000,
  maxResponseBytes: 1_048_576,
  connectionsPerMember: 64,
  reportLimits: DEFAULT_REPORT_LIMITS,
  shutdownGraceMs: 10_000,
  memberExpiryMs: 30_000,
  memberRefreshMs: 5_000,
  memberFailureThreshold: 3,
  memberProbeTimeoutMs: 2_000,
  retentionDays: 90,
  retentionCount: null,
  retentionIntervalMs: 60_000,
  retentionBatchSize: 500,
};

/** Most runs one pruning statement may remove: its run ids are bound parameters. */
export const MAX_RETENTION_BATCH = 10_000;

/** A configuration problem, naming its source and key. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(`config: ${message}`);
    this.name = 'ConfigError';
  }
}

type Kind = 'string' | 'port' | 'ms' | 'int' | 'count' | 'limit' | 'url' | 'level' | 'bool' | 'language';
const KEYS: Record<Exclude<keyof Config, 'reportLimits' | 'directory' | 'alertDefaults'>, Kind> = {
  host: 'string',
  port: 'port',
  dataDir: 'string',
  databaseUrl: 'url',
  publicUrl: 'url',
  bootstrapToken: 'string',
  sessionIdleMs: 'ms',
  sessionMaxMs: 'ms',
  loginMaxFailures: 'count',
  loginAddressMaxFailures: 'count',
  loginWindowMs: 'ms',
  loginLockMs: 'ms',
  auditRetentionDays: 'limit',
  trustProxy: 'bool',
  publicMetrics: 'bool',
  alertIntervalMs: 'ms',
  alertWindowMs: 'ms',
  alertLanguage: 'language',
  alertTemplatesDir: 'string',
  alertSendTimeoutMs: 'ms',
  alertMaxAttempts: 'count',
  alertBackoffMs: 'ms',
  alertBackoffMaxMs: 'ms',
  logLevel: 'level',
  nodeName: 'string',
  leaseTtlMs: 'ms',
  leaseRenewMs: 'ms',
  monitorIntervalMs: 'ms',
  deliveryBackoffMs: 'ms',
  deliveryBackoffMaxMs: 'ms',
  defaultDeadlineSec: 'int',
  misfireThresholdMs: 'ms',
  maxMissedPerJob: 'int',
  connectTimeoutMs: 'ms',
  responseTimeoutMs: 'ms',
  maxResponseBytes: 'int',
  connectionsPerMember: 'count',
  shutdownGraceMs: 'ms',
  memberExpiryMs: 'ms',
  memberRefreshMs: 'ms',
  memberFailureThreshold: 'count',
  memberProbeTimeoutMs: 'ms',
  retentionDays: 'limit',
  retentionCount: 'limit',
  retentionIntervalMs: 'ms',
  retentionBatchSize: 'count',
};
const LIMIT_KEYS = ['maxMessageChars', 'maxOutputBytes', 'maxLogBytes'] as const;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Environment variables and the keys they set. */
export const ENV_KEYS: Record<string, keyof Config> = {
  JOBCENTER_HOST: 'host',
  JOBCENTER_PORT: 'port',
  JOBCENTER_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  JOBCENTER_PUBLIC_URL: 'publicUrl',
  JOBCENTER_BOOTSTRAP_TOKEN: 'bootstrapToken',
  JOBCENTER_LOG_LEVEL: 'logLevel',
  JOBCENTER_NODE_NAME: 'nodeName',
  JOBCENTER_TRUST_PROXY: 'trustProxy',
  JOBCENTER_PUBLIC_METRICS: 'publicMetrics',
  JOBCENTER_ALERT_LANGUAGE: 'alertLanguage',
};

function coerce(key: string, kind: Kind, value: unknown, source: string): unknown {
  const where = `${source}: ${key}`;
  if (kind === 'string') {
    if (typeof value !== 'string' || value === '')
      throw new ConfigError(`${where} must be a non-empty string`);
    return value;
  }
  if (kind === 'level') {
    if (typeof value !== 'string' || !LEVELS.includes(value)) {
      throw new ConfigError(`${where} must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value;
  }
  if (kind === 'language') {
    if (value !== 'en' && value !== 'zh-CN')
      throw new ConfigError(`${where} must be en or zh-CN, got ${JSON.stringify(value)}`);
    return value;
  }
  if (kind === 'bool') {
    if (value === true || value === 'true' || value === '1') return true;
    if (value === false || value === 'false' || value === '0') return false;
    throw new ConfigError(`${where} must be true or false, got ${JSON.stringify(value)}`);
  }
  if (kind === 'url') {
    if (typeof value !== 'string') throw new ConfigError(`${where} must be a URL string`);
    try {
      new URL(value);
    } catch {
      throw new ConfigError(`${where} is not a valid URL: ${JSON.stringify(value)}`);
    }
    return value.replace(/\/+$/, '');
  }
  // A limit is switched off with null.
  if (kind === 'limit' && value === null) return null;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ConfigError(`${where} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  if (kind === 'port' && (n < 0 || n > 65_535))
    throw new ConfigError(`${where} must be a port (0-65535), got ${n}`);
  if (kind === 'ms' && n === 0) throw new ConfigError(`${where} must be at least 1 ms`);
  if (kind === 'count' && n === 0) throw new ConfigError(`${where} must be at least 1`);
  if (kind === 'limit' && n === 0) throw new ConfigError(`${where} must be at least 1, or null for no limit`);
  return n;
}

function apply(target: Record<string, unknown>, values: Record<string, unknown>, source: string): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (key === 'reportLimits') {
      if (typeof value !== 'object' || value === null)
        throw new ConfigError(`${source}: reportLimits must be an object`);
      const limits = { ...(target.reportLimits as ReportLimits) };
      for (const [k, v] of Object.entries(value)) {
        if (!(LIMIT_KEYS as readonly string[]).includes(k)) {
          throw new ConfigError(`${source}: unknown key reportLimits.${k} (known: ${LIMIT_KEYS.join(', ')})`);
        }
        const n = coerce(`reportLimits.${k}`, 'int', v, source) as number;
        if (n < 1) throw new ConfigError(`${source}: reportLimits.${k} must be at least 1`);
        (limits as Record<string, number>)[k] = n;
      }
      target.reportLimits = limits;
      continue;
    }
    if (key === 'alertDefaults') {
      if (source === 'environment' || source === 'flags') {
        throw new ConfigError(`${source}: alertDefaults is set in the config file only`);
      }
      target.alertDefaults = parseAlertDefaults(value, source);
      continue;
    }
    if (key === 'directory') {
      if (source === 'environment' || source === 'flags') {
        throw new ConfigError(`${source}: directory is set in the config file only`);
      }
      target.directory = value === null ? null : parseDirectoryConfig(value, source);
      continue;
    }
    const kind = KEYS[key as keyof typeof KEYS];
    if (!kind) throw new ConfigError(`${source}: unknown key "${key}"`);
    target[key] = coerce(key, kind, value, source);
  }
}

export interface ConfigSources {
  /** Values from command-line flags (highest priority). */
  flags?: Partial<Record<keyof Config, unknown>>;
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file (`--config` or JOBCENTER_CONFIG). */
  file?: string | undefined;
  /** Values set by the caller (tests, embedding), applied after the file. */
  overrides?: Partial<Config>;
}

/** Builds and validates the configuration. Throws ConfigError naming the bad key. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const merged: Record<string, unknown> = { ...DEFAULTS, reportLimits: { ...DEFAULTS.reportLimits } };
  const file = sources.file ?? env.JOBCENTER_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`config file ${file} must hold a JSON object`);
    }
    apply(merged, parsed as Record<string, unknown>, file);
  }
  if (sources.overrides) apply(merged, sources.overrides as Record<string, unknown>, 'overrides');
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  apply(merged, fromEnv, 'environment');
  if (sources.flags) apply(merged, sources.flags, 'flags');
  const config = merged as unknown as Config;
  if (config.leaseRenewMs >= config.leaseTtlMs) {
    throw new ConfigError(
      `leaseRenewMs (${config.leaseRenewMs}) must be shorter than leaseTtlMs (${config.leaseTtlMs})`,
    );
  }
  if (config.retentionDays !== null && config.retentionDays > MAX_RETENTION_DAYS) {
    throw new ConfigError(`retentionDays must be at most ${MAX_RETENTION_DAYS}, got ${config.retentionDays}`);
  }
  if (config.retentionBatchSize > MAX_RETENTION_BATCH) {
    throw new ConfigError(
      `retentionBatchSize must be at most ${MAX_RETENTION_BATCH}, got ${config.retentionBatchSize}`,
    );
  }
  return config;
}

/** The callback base URL: the configured one, or this server's own address once bound. */
export function resolvePublicUrl(config: Config, boundPort: number): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
}

const RECIPIENT = /^(user|team|email|sms|channel):.+$/;

function parseRecipients(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((r) => typeof r === 'string' && RECIPIENT.test(r))) {
    throw new ConfigError(
      `${where} must be a list of user:NAME, team:NAME, email:ADDRESS, sms:NUMBER or channel:NAME`,
    );
  }
  return value as string[];
}

/** `alertDefaults` from the config file: `{on?, recipients?, escalation?: {afterFailures, recipients}}`. */
function parseAlertDefaults(value: unknown, source: string): AlertPolicy {
  const where = `${source}: alertDefaults`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(`${where} must be an object`);
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['on', 'recipients', 'escalation'].includes(key)) {
      throw new ConfigError(`${where}: unknown key ${key} (known: on, recipients, escalation)`);
    }
  }
  const on = v.on ?? DEFAULTS.alertDefaults.on;
  if (!Array.isArray(on) || !on.every((k) => (ALERT_EVENTS as readonly unknown[]).includes(k))) {
    throw new ConfigError(`${where}.on must be a list of ${ALERT_EVENTS.join(', ')}`);
  }
  let escalation: AlertPolicy['escalation'] = null;
  if (v.escalation !== undefined && v.escalation !== null) {
    const e = v.escalation as Record<string, unknown>;
    if (typeof e !== 'object' || !Number.isInteger(e.afterFailures) || (e.afterFailures as number) < 1) {
      throw new ConfigError(`${where}.escalation.afterFailures must be a whole number of at least 1`);
    }
    escalation = {
      afterFailures: e.afterFailures as number,
      recipients: parseRecipients(e.recipients, `${where}.escalation.recipients`),
    };
  }
  return {
    on: on as AlertPolicy['on'],
    recipients: v.recipients === undefined ? [] : parseRecipients(v.recipients, `${where}.recipients`),
    escalation,
  };
}
