import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** How many failed logins lock a key, within what window, for how long. */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/**
 * Failed-login counters per key ('user:<name>', 'ip:<address>'), in the
 * database so every node sees the same lockouts.
 */
export class LoginThrottleRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** The latest lock end among `keys` that is still in the future, or null. */
  async lockedUntil(keys: readonly string[], now: number): Promise<number | null> {
    const rows = await this.db
      .selectFrom('login_throttle')
      .select('locked_until')
      .where('key', 'in', keys)
      .where('locked_until', '>', now)
      .execute();
    const ends = rows.map((r) => Number(r.locked_until));
    return ends.length > 0 ? Math.max(...ends) : null;
  }

  /** Counts one failure for `key`; locks it when the window's count reaches the policy's maximum. */
  async recordFailure(key: string, now: number, policy: ThrottlePolicy): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('login_throttle')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirst();
      const fresh = !row || now - Number(row.window_start) >= policy.windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const values = {
        failures,
        window_start: fresh ? now : Number(row.window_start),
        locked_until: failures >= policy.maxFailures ? now + policy.lockMs : null,
      };
      await trx
        .insertInto('login_throttle')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute();
    });
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}
