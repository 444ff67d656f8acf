/**
 * Everything that differs between SQLite and PostgreSQL, as capability flags
 * and small helpers. Nothing else in the code branches on the dialect.
 */
import type { ColumnDefinitionBuilder } from 'kysely';

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Column type for epoch milliseconds. */
  readonly msType: 'bigint';
  /** Column type of an auto-incrementing key. */
  readonly autoIdType: 'integer' | 'bigserial';
  autoIncrement(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Bound parameters allowed in one statement; bulk writes are chunked below it. */
  readonly maxParams: number;
  /** `SELECT … FOR UPDATE SKIP LOCKED` is available. */
  readonly supportsSkipLocked: boolean;
  /** Several processes may write at once (PostgreSQL): work done by one node at a time takes an advisory lock. */
  readonly hasAdvisoryLocks: boolean;
  /** Whether `err` is a unique-constraint violation. */
  isUniqueViolation(err: unknown): boolean;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  msType: 'bigint',
  autoIdType: 'integer',
  autoIncrement: (c) => c.autoIncrement(),
  maxParams: 30_000,
  supportsSkipLocked: false,
  hasAdvisoryLocks: false,
  isUniqueViolation: (err) =>
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
};

export const postgresDialect: Dialect = {
  name: 'postgres',
  msType: 'bigint',
  autoIdType: 'bigserial',
  autoIncrement: (c) => c,
  maxParams: 60_000,
  supportsSkipLocked: true,
  hasAdvisoryLocks: true,
  isUniqueViolation: (err) =>
    typeof err === 'object' && err !== null && 'code' in err && err.code === '23505',
};
