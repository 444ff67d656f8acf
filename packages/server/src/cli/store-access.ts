/**
 * Commands that work on the store directly (no running server needed):
 * the same configuration sources as `serve` pick the database.
 */

import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { Accounts } from '../auth/accounts.js';
import { type Actor, AuditLog } from '../auth/audit.js';
import { systemClock } from '../clock.js';
import { type Config, loadConfig } from '../config.js';
import { openStore, type Store } from '../store/store.js';

export interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
}

/** Adds the flags that choose the database. */
export function withStoreFlags(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'folder of the SQLite database (env JOBCENTER_DATA_DIR)', undefined)
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); absent: SQLite', undefined)
    .option('--config <file>', 'JSON configuration file (env JOBCENTER_CONFIG)', undefined);
}

export interface StoreSession {
  store: Store;
  accounts: Accounts;
  audit: AuditLog;
  /** The CLI as the audit log names it: the operating-system user. */
  actor: Actor;
  config: Config;
}

/** Opens the store (running migrations), runs `work`, closes it whatever happens. */
export async function withStore<T>(flags: StoreFlags, work: (s: StoreSession) => Promise<T>): Promise<T> {
  const config = loadConfig({
    env: process.env,
    file: flags.config,
    flags: { dataDir: flags.dataDir, databaseUrl: flags.databaseUrl },
  });
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    reportLimits: config.reportLimits,
  });
  try {
    const accounts = new Accounts(store, systemClock, {
      idleMs: config.sessionIdleMs,
      maxMs: config.sessionMaxMs,
    });
    const audit = new AuditLog(store.audit, systemClock);
    const actor: Actor = { name: `cli:${userInfo().username}`, kind: 'system', tokenId: null, ip: null };
    return await work({ store, accounts, audit, actor, config });
  } finally {
    await store.close();
  }
}
