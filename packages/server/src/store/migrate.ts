import { type Kysely, sql } from 'kysely';
import type { Dialect } from './dialect.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-trend-minutes.js';
import * as m003 from './migrations/003-routing-retry.js';
import * as m004 from './migrations/004-members.js';
import * as m005 from './migrations/005-retention.js';
import * as m006 from './migrations/006-shard-late-result.js';
import * as m007 from './migrations/007-accounts.js';
import * as m008 from './migrations/008-alerts.js';
import type { Database } from './schema.js';

interface Migration {
  version: number;
  name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** Every migration, in order. Versions only ever grow. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: m001.up },
  { version: 2, name: 'trend-minutes', up: m002.up },
  { version: 3, name: 'routing-retry', up: m003.up },
  { version: 4, name: 'members', up: m004.up },
  { version: 5, name: 'retention', up: m005.up },
  { version: 6, name: 'shard-late-result', up: m006.up },
  { version: 7, name: 'accounts', up: m007.up },
  { version: 8, name: 'alerts', up: m008.up },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Thrown when the database was migrated by a newer JobCenter. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `database schema version ${found} is newer than this JobCenter knows (${known}): upgrade JobCenter before starting it against this database`,
    );
  }
}

// Any constant works: it only has to be the same for every JobCenter node.
const MIGRATION_LOCK_KEY = 7_400_113;

/**
 * Brings the schema up to date, each migration in its own transaction.
 * On PostgreSQL an advisory lock makes nodes that start together migrate once.
 */
export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<number[]> {
  const raw = db as unknown as Kysely<{
    schema_migrations: { version: number; name: string; applied_at: number };
  }>;
  await raw.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
  return raw.connection().execute(async (conn) => {
    if (dialect.name === 'postgres') await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      const rows = await conn.selectFrom('schema_migrations').select('version').execute();
      const applied = new Set(rows.map((r) => Number(r.version)));
      const newest = Math.max(0, ...applied);
      if (newest > SCHEMA_VERSION) throw new SchemaTooNewError(newest, SCHEMA_VERSION);
      const done: number[] = [];
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await conn.transaction().execute(async (trx) => {
          await migration.up(trx as unknown as Kysely<unknown>, dialect);
          await trx
            .insertInto('schema_migrations')
            .values({ version: migration.version, name: migration.name, applied_at: Date.now() })
            .execute();
        });
        done.push(migration.version);
      }
      return done;
    } finally {
      if (dialect.name === 'postgres')
        await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}
