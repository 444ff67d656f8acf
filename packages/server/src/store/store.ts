import type { ReportLimits } from '../domain/callback-rules.js';
import { AlertsRepo } from './alerts-repo.js';
import { AuditRepo } from './audit-repo.js';
import { type DatabaseOptions, openDatabase } from './database.js';
import type { Dialect } from './dialect.js';
import { GroupsRepo } from './groups-repo.js';
import { JobsRepo } from './jobs-repo.js';
import { LeaseRepo } from './lease-repo.js';
import { LimitsRepo } from './limits-repo.js';
import { LoginThrottleRepo } from './login-throttle-repo.js';
import { MembersRepo } from './members-repo.js';
import { migrate } from './migrate.js';
import { ReportsRepo } from './reports-repo.js';
import { RetentionRepo } from './retention-repo.js';
import { RoutingRepo } from './routing-repo.js';
import { RunFeedRepo } from './run-feed-repo.js';
import { RunsRepo } from './runs-repo.js';
import { SessionsRepo } from './sessions-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { ShardsRepo } from './shards-repo.js';
import { SqliteHotPath } from './sqlite-hot-path.js';
import { StatsRepo } from './stats-repo.js';
import { TeamsRepo } from './teams-repo.js';
import { TokensRepo } from './tokens-repo.js';
import { TrendRepo } from './trend-repo.js';
import { UsersRepo } from './users-repo.js';

/** The store: one repository per concern, no connection or transaction exposed. */
export interface Store {
  readonly dialect: Dialect;
  readonly location: string;
  readonly jobs: JobsRepo;
  readonly groups: GroupsRepo;
  readonly members: MembersRepo;
  readonly runs: RunsRepo;
  readonly reports: ReportsRepo;
  readonly shards: ShardsRepo;
  readonly routing: RoutingRepo;
  readonly limits: LimitsRepo;
  readonly stats: StatsRepo;
  readonly trend: TrendRepo;
  readonly retention: RetentionRepo;
  readonly leases: LeaseRepo;
  readonly settings: SettingsRepo;
  readonly users: UsersRepo;
  readonly teams: TeamsRepo;
  readonly sessions: SessionsRepo;
  readonly tokens: TokensRepo;
  readonly loginThrottle: LoginThrottleRepo;
  readonly audit: AuditRepo;
  readonly runFeed: RunFeedRepo;
  readonly alerts: AlertsRepo;
  close(): Promise<void>;
}

/** Opens the database, brings its schema up to date and builds the repositories. */
export async function openStore(options: DatabaseOptions & { reportLimits: ReportLimits }): Promise<Store> {
  const { db, sqlite, dialect, location, close } = openDatabase(options);
  try {
    await migrate(db, dialect);
  } catch (err) {
    await close();
    throw err;
  }
  const trend = new TrendRepo(db);
  return {
    dialect,
    location,
    jobs: new JobsRepo(db, dialect),
    groups: new GroupsRepo(db),
    members: new MembersRepo(db),
    // Prepared after the migrations: the statements need the tables.
    runs: new RunsRepo(db, dialect, trend, sqlite ? new SqliteHotPath(sqlite, db) : null),
    trend,
    retention: new RetentionRepo(db),
    reports: new ReportsRepo(db, options.reportLimits),
    shards: new ShardsRepo(db, dialect, options.reportLimits),
    routing: new RoutingRepo(db, dialect),
    limits: new LimitsRepo(db),
    stats: new StatsRepo(db),
    leases: new LeaseRepo(db, dialect),
    settings: new SettingsRepo(db),
    users: new UsersRepo(db, dialect),
    teams: new TeamsRepo(db, dialect),
    sessions: new SessionsRepo(db),
    tokens: new TokensRepo(db),
    loginThrottle: new LoginThrottleRepo(db),
    audit: new AuditRepo(db),
    runFeed: new RunFeedRepo(db),
    alerts: new AlertsRepo(db, dialect),
    close,
  };
}
