/**
 * The composition root: wires store, scheduler, dispatcher, monitor and API
 * by hand. `createJobCenter` builds; `start` listens and begins firing;
 * `stop` stops firing, lets in-flight deliveries finish, then closes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { AlertWorker } from './alerts/alert-worker.js';
import { OutboxSender } from './alerts/outbox-sender.js';
import { loadAlertTemplates } from './alerts/render.js';
import { type App, buildApp } from './api/app.js';
import { RunFeed } from './api/run-feed.js';
import { Accounts } from './auth/accounts.js';
import { AuditLog } from './auth/audit.js';
import { Directory } from './auth/directory.js';
import { AccountHousekeeping } from './auth/housekeeping.js';
import { Login } from './auth/login.js';
import { type Clock, systemClock } from './clock.js';
import { type Config, resolvePublicUrl } from './config.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { HttpClient } from './dispatcher/http-client.js';
import { sendTestTrigger } from './dispatcher/test-trigger.js';
import { collectGarbage } from './heap.js';
import { GroupCache } from './manage/group-cache.js';
import { GroupManager } from './manage/groups.js';
import { JobManager } from './manage/jobs.js';
import { RunManager } from './manage/runs.js';
import { createMetrics } from './metrics.js';
import { MemberHealthMonitor } from './monitor/member-health.js';
import { MemberProbes } from './monitor/member-probes.js';
import { Retention } from './monitor/retention.js';
import { Retries } from './monitor/retries.js';
import { TimeLimits } from './monitor/time-limits.js';
import { Leadership } from './scheduler/leadership.js';
import { Scheduler } from './scheduler/scheduler.js';
import { openStore, type Store } from './store/store.js';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface JobCenter {
  readonly config: Config;
  readonly app: App;
  readonly store: Store;
  readonly log: Logger;
  /** Member health on this node: passed to the dispatcher as `health`; probes and lost runs feed it. */
  readonly memberHealth: MemberHealthMonitor;
  /** The base URL this server listens on, once started. */
  readonly url: string;
  /** Listens and starts campaigning for the scheduler lease. Idempotent. */
  start(): Promise<string>;
  /** Stops firing, waits for in-flight work, closes everything. Idempotent. */
  stop(): Promise<void>;
}

export interface CreateOptions {
  clock?: Clock;
  logger?: Logger;
}

export async function createJobCenter(config: Config, options: CreateOptions = {}): Promise<JobCenter> {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? pino({ level: config.logLevel, base: { service: 'jobcenter' } });
  // A broken template override stops the start here, naming the file, not the first alert later.
  loadAlertTemplates(config.alertLanguage, config.alertTemplatesDir);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    reportLimits: config.reportLimits,
  });
  const metrics = createMetrics();
  const serverKey = await store.settings.serverKey();
  const accounts = new Accounts(store, clock, { idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs });
  const audit = new AuditLog(store.audit, clock);
  await createFirstAdmin(config, accounts, log);
  const login = new Login({
    store,
    clock,
    log,
    accounts,
    audit,
    directory: config.directory ? new Directory(config.directory) : null,
    policy: {
      user: {
        maxFailures: config.loginMaxFailures,
        windowMs: config.loginWindowMs,
        lockMs: config.loginLockMs,
      },
      address: {
        maxFailures: config.loginAddressMaxFailures,
        windowMs: config.loginWindowMs,
        lockMs: config.loginLockMs,
      },
    },
  });
  const housekeeping = new AccountHousekeeping({
    store,
    clock,
    log,
    intervalMs: config.retentionIntervalMs,
    sessionIdleMs: config.sessionIdleMs,
    auditRetentionDays: config.auditRetentionDays,
    alertRetentionDays: config.retentionDays,
    batchSize: config.retentionBatchSize,
  });
  const groupCache = new GroupCache({
    store,
    clock,
    log,
    memberExpiryMs: config.memberExpiryMs,
    refreshMs: config.memberRefreshMs,
  });
  await groupCache.load();
  const memberHealth = new MemberHealthMonitor({
    clock,
    log,
    failureThreshold: config.memberFailureThreshold,
  });
  const memberProbes = new MemberProbes({
    groups: groupCache,
    health: memberHealth,
    clock,
    log,
    tickMs: config.monitorIntervalMs,
    timeoutMs: config.memberProbeTimeoutMs,
  });

  let publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  let listenUrl = '';
  const http = new HttpClient({
    connectionsPerOrigin: config.connectionsPerMember,
    maxResponseBytes: config.maxResponseBytes,
  });

  // The scheduler and leadership refer to each other; the closures resolve at run time.
  let scheduler: Scheduler;
  const leadership = new Leadership({
    store,
    log,
    ttlMs: config.leaseTtlMs,
    renewMs: config.leaseRenewMs,
    nodeName: config.nodeName,
    now: () => clock.now(),
    onElected: async (firedThrough) => {
      metrics.leader.set(1);
      await scheduler.activate(firedThrough);
      // Every job was just read: hand the load's garbage back now (100,000 jobs: tens of MB).
      collectGarbage();
      metrics.scheduledJobs.set(scheduler.jobCount);
    },
    onDeposed: async () => {
      metrics.leader.set(0);
      await scheduler.deactivate();
    },
    firedThrough: () => scheduler.checkpoint(),
  });
  const dispatcher = new Dispatcher({
    store,
    clock,
    log,
    http,
    metrics,
    serverKey,
    policy: { backoffMs: config.deliveryBackoffMs, backoffMaxMs: config.deliveryBackoffMaxMs },
    reportLimits: config.reportLimits,
    publicUrl: () => publicUrl,
    groups: (name) => groupCache.get(name),
    health: memberHealth,
    nextFireAfter: (job, at) => scheduler.nextFireAfter(job, at),
  });
  scheduler = new Scheduler({
    store,
    clock,
    log,
    leadership,
    defaultDeadlineSec: config.defaultDeadlineSec,
    misfireThresholdMs: config.misfireThresholdMs,
    maxMissedPerJob: config.maxMissedPerJob,
    onFired: (fires) => {
      // One counter update per trigger kind and slice, not one per fire.
      const byTrigger = new Map<string, number>();
      for (const fire of fires) byTrigger.set(fire.run.trigger, (byTrigger.get(fire.run.trigger) ?? 0) + 1);
      for (const [trigger, n] of byTrigger) metrics.fires.inc({ trigger }, n);
      dispatcher.send(fires);
    },
  });
  const timeLimits = new TimeLimits({
    store,
    clock,
    log,
    metrics,
    intervalMs: config.monitorIntervalMs,
    health: memberHealth,
  });
  const retries = new Retries({
    store,
    clock,
    log,
    intervalMs: config.monitorIntervalMs,
    defaultDeadlineSec: config.defaultDeadlineSec,
    send: (run, job) => dispatcher.send([{ run: { ...run, nextAttemptAt: run.firedAt }, job }]),
  });
  const runs = new RunManager(store, clock, log, dispatcher);
  const retention = new Retention({
    store,
    clock,
    log,
    metrics,
    defaults: { days: config.retentionDays, count: config.retentionCount },
    intervalMs: config.retentionIntervalMs,
    batchSize: config.retentionBatchSize,
  });
  const jobs = new JobManager(
    store,
    clock,
    {
      connectTimeoutMs: config.connectTimeoutMs,
      responseTimeoutMs: config.responseTimeoutMs,
      defaultDeadlineSec: config.defaultDeadlineSec,
    },
    {
      jobChanged: (jobId, job) => {
        scheduler.jobChanged(jobId, job);
        metrics.scheduledJobs.set(scheduler.jobCount);
      },
      runCreated: (run, job) => {
        metrics.fires.inc({ trigger: run.trigger });
        dispatcher.send([{ run, job }]);
      },
    },
  );
  const groups = new GroupManager(store, clock, groupCache, memberHealth);
  const runFeed = new RunFeed({ repo: store.runFeed, clock, log });
  const alertWorker = new AlertWorker({
    store,
    clock,
    log,
    intervalMs: config.alertIntervalMs,
    windowMs: config.alertWindowMs,
    defaults: config.alertDefaults,
    language: config.alertLanguage,
    templatesDir: config.alertTemplatesDir,
    publicUrl: () => publicUrl,
  });
  const outbox = new OutboxSender({
    store,
    clock,
    log,
    intervalMs: config.alertIntervalMs,
    sendTimeoutMs: config.alertSendTimeoutMs,
    maxAttempts: config.alertMaxAttempts,
    backoffMs: config.alertBackoffMs,
    backoffMaxMs: config.alertBackoffMaxMs,
  });

  const app = await buildApp(
    {
      store,
      clock,
      jobs,
      groups,
      runs,
      metrics,
      serverKey,
      version: VERSION,
      publicMetrics: config.publicMetrics,
      nextFireAt: (job) =>
        job.enabled ? (scheduler.nextFireOf(job.id) ?? scheduler.nextFireAfter(job, clock.now())) : null,
      flushDeliveries: () => dispatcher.flush(),
      testTrigger: (job, member, secret, params) =>
        sendTestTrigger({ http, clock, serverKey, publicUrl: () => publicUrl }, job, member, secret, params),
      runFeed,
      alertLanguage: config.alertLanguage,
      alertTemplatesDir: config.alertTemplatesDir,
      alertSendTimeoutMs: config.alertSendTimeoutMs,
      accounts,
      login,
      audit,
      secureCookies: (config.publicUrl ?? '').startsWith('https:'),
      trustProxy: config.trustProxy,
    },
    log,
  );

  let starting: Promise<string> | null = null;
  let stopping: Promise<void> | null = null;

  async function start(): Promise<string> {
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    publicUrl = resolvePublicUrl(config, port);
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    listenUrl = `http://${host}:${port}`;
    // Deliveries a previous process left pending go out before new fires.
    await dispatcher.resumePending();
    timeLimits.start();
    retries.start();
    groupCache.start();
    memberProbes.start();
    retention.start();
    housekeeping.start();
    alertWorker.start();
    outbox.start();
    await leadership.start();
    log.info({ url: listenUrl, publicUrl, database: store.location }, 'JobCenter started');
    return listenUrl;
  }

  async function stop(): Promise<void> {
    // Order matters: stop firing first, then let deliveries finish and be written, then close.
    await leadership.stop();
    await dispatcher.stop(config.shutdownGraceMs);
    await timeLimits.stop();
    await retries.stop();
    await memberProbes.stop();
    await groupCache.stop();
    await retention.stop();
    await housekeeping.stop();
    await alertWorker.stop();
    await outbox.stop();
    // Event streams never end by themselves: close them, or closing the server would wait for them.
    await runFeed.stop();
    await app.close();
    await http.close();
    await store.close();
    log.info('JobCenter stopped');
  }

  return {
    config,
    app,
    store,
    log,
    memberHealth,
    get url() {
      return listenUrl;
    },
    start: () => {
      starting ??= start();
      return starting;
    },
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** Where the password of the first admin is written on a fresh store. */
export const FIRST_ADMIN_FILE = 'initial-admin-password';

/**
 * A store with no user gets one admin, so the API and console can be
 * reached at all: with JOBCENTER_BOOTSTRAP_TOKEN, the user `admin` and an
 * API token of that value; otherwise `admin` with a random password written
 * (mode 0600) to `<data dir>/initial-admin-password`, never to the log.
 */
async function createFirstAdmin(config: Config, accounts: Accounts, log: Logger): Promise<void> {
  if (config.bootstrapToken) {
    if (await accounts.bootstrap(config.bootstrapToken)) {
      log.info('created the admin user "admin" and its API token from JOBCENTER_BOOTSTRAP_TOKEN');
    }
    return;
  }
  const password = await accounts.createFirstAdmin();
  if (password === null) return;
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, FIRST_ADMIN_FILE);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  log.warn(
    { file },
    'created the first admin user "admin"; its password is in this file: log in, change it, then delete the file',
  );
}
