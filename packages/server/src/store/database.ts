import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type Dialect, postgresDialect, sqliteDialect } from './dialect.js';
import type { Database } from './schema.js';
import { LazyCheckpointer } from './sqlite-checkpointer.js';

export interface DatabaseOptions {
  /** `postgres://…` for PostgreSQL; absent for SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Where the SQLite file `jobcenter.db` lives; created when missing. */
  dataDir: string;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
}

export interface OpenDatabase {
  db: Kysely<Database>;
  /** The SQLite connection itself, for the prepared hot-path statements; null on PostgreSQL. */
  sqlite: SQLite.Database | null;
  dialect: Dialect;
  /** A human-readable location for logs: the file path or the URL without password. */
  location: string;
  close(): Promise<void>;
}

const INT8_OID = 20;
/** Bytes the SQLite WAL file is cut back to after a checkpoint. */
const JOURNAL_SIZE_LIMIT = 134_217_728;
/** How often the background thread checkpoints the SQLite WAL, ms. */
const CHECKPOINT_INTERVAL_MS = 250;
/** The WAL size from which the checkpoint thread runs (started on first need), bytes. */
const CHECKPOINT_THREAD_AT_BYTES = 4 * 1_048_576;

/** Opens (and for SQLite creates) the database. Migrations are run separately. */
export function openDatabase(options: DatabaseOptions): OpenDatabase {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Epoch milliseconds fit in a double: read BIGINT as number, not string.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID
            ? (value: string) => Number(value)
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection the server ends (a restart, a failover, an administrator) is reported
    // here; pg has already dropped it from the pool and the next query opens a new one. Without a
    // listener the event would be unhandled and end the process.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const url = new URL(options.databaseUrl);
    url.password = url.password ? '***' : '';
    return {
      db,
      sqlite: null,
      dialect: postgresDialect,
      location: url.toString(),
      close: () => db.destroy(),
    };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, 'jobcenter.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode is durable against process crashes; a power cut may lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // 16 MiB holds the hot runs index pages; no memory map, so the jobs table read once at
  // start-up does not stay resident (docs/decisions.md has the figures).
  sqlite.pragma('cache_size = -16384');
  sqlite.pragma('temp_store = MEMORY');
  // A thread of its own checkpoints (see sqlite-checkpointer.ts); this large auto-checkpoint
  // is only the safety net for when it falls behind.
  sqlite.pragma('wal_autocheckpoint = 16384');
  sqlite.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  sqlite.pragma('foreign_keys = ON');
  const checkpointer = new LazyCheckpointer({
    file,
    intervalMs: CHECKPOINT_INTERVAL_MS,
    journalSizeLimit: JOURNAL_SIZE_LIMIT,
    startAtBytes: CHECKPOINT_THREAD_AT_BYTES,
  });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    sqlite,
    dialect: sqliteDialect,
    location: file,
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}
