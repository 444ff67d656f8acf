import { sql } from 'kysely';

/**
 * The predicate of the partial indexes on open runs, written as literal SQL.
 * A partial index serves a query only when the query repeats its predicate
 * literally: `status IN (?, ?)` with bound values would not match, and every
 * monitor sweep would scan the whole runs table instead.
 */
export const IS_OPEN = sql<boolean>`status in ('pending', 'running')`;
/** The timeout index's extra predicate, literal for the same reason. */
export const NOT_TIMED_OUT = sql<boolean>`timed_out = 0`;
