import type { Accounts } from '../auth/accounts.js';
import type { AuditLog } from '../auth/audit.js';
import type { Login } from '../auth/login.js';
import type { Clock } from '../clock.js';
import type { TestTriggerResult } from '../dispatcher/test-trigger.js';
import type { Job } from '../domain/job.js';
import type { GroupManager } from '../manage/groups.js';
import type { JobManager } from '../manage/jobs.js';
import type { RunManager } from '../manage/runs.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { RunFeed } from './run-feed.js';

/** What the routes need, wired by the composition root. */
export interface ApiContext {
  store: Store;
  clock: Clock;
  jobs: JobManager;
  groups: GroupManager;
  runs: RunManager;
  metrics: Metrics;
  serverKey: Buffer;
  /** The job's next fire, for lists and reads. */
  nextFireAt(job: Job): number | null;
  /** Waits until delivery outcomes queued so far are written (before callbacks read a run). */
  flushDeliveries(): Promise<void>;
  /** One signed test trigger of `job` to `member` (a group member's URL; ignored for url targets), not recorded. */
  testTrigger(
    job: Job,
    member: string,
    secret: string,
    params: Record<string, unknown>,
  ): Promise<TestTriggerResult>;
  alertLanguage: 'en' | 'zh-CN';
  alertTemplatesDir: string | undefined;
  alertSendTimeoutMs: number;
  /** The live run feed of GET /events. */
  runFeed: RunFeed;
  accounts: Accounts;
  login: Login;
  audit: AuditLog;
  /** Mark the session cookie `Secure` (the console is served over HTTPS). */
  secureCookies: boolean;
  /** Take client addresses from X-Forwarded-For. */
  trustProxy: boolean;
  version: string;
  /** Serve /metrics without a token. Default true. */
  publicMetrics: boolean;
}
