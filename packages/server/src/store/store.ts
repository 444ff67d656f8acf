import type { ReportLimits } from '../domain/callback-rules.js';
import { type DatabaseOptions, openDatabase } from './database.js';
import type { Dialect } from './dialect.js';
import { GroupsRepo } from './groups-repo.js';
import { JobsRepo } from './jobs-repo.js';
import { LeaseRepo } from './lease-repo.js';
import { LimitsRepo } from './limits-repo.js';
import { migrate } from './migrate.js';
import { ReportsRepo } from './reports-repo.js';
import { RoutingRepo } from './routing-repo.js';
import { RunsRepo } from './runs-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { ShardsRepo } from './shards-repo.js';
import { SqliteHotPath } from './sqlite-hot-path.js';
import { StatsRepo } from './stats-repo.js';
import { TrendRepo } from './trend-repo.js';

/** The store: one repository per concern, no connection or transaction exposed. */
export interface Store {
  readonly dialect: Dialect;
  readonly location: string;
  readonly jobs: JobsRepo;
  readonly groups: GroupsRepo;
  readonly runs: RunsRepo;
  readonly reports: ReportsRepo;
  readonly shards: ShardsRepo;
  readonly routing: RoutingRepo;
  readonly limits: LimitsRepo;
  readonly stats: StatsRepo;
  readonly trend: TrendRepo;
  readonly leases: LeaseRepo;
  readonly settings: SettingsRepo;
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
    // Prepared after the migrations: the statements need the tables.
    runs: new RunsRepo(db, dialect, trend, sqlite ? new SqliteHotPath(sqlite, db) : null),
    trend,
    reports: new ReportsRepo(db, options.reportLimits),
    shards: new ShardsRepo(db, dialect, options.reportLimits),
    routing: new RoutingRepo(db, dialect),
    limits: new LimitsRepo(db),
    stats: new StatsRepo(db),
    leases: new LeaseRepo(db, dialect),
    settings: new SettingsRepo(db),
    close,
  };
}
