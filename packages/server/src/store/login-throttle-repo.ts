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

  /**
   * Counts an attempt against `key` before its password is checked, as a
   * failure until `forgive` takes it back. One statement: parallel guesses
   * each count, none can pass before the others are written. Answers the
   * lock's end when this attempt is one more than the policy allows (the
   * key is then locked), else null. After a lock or a quiet window the
   * count starts afresh.
   */
  async countAttempt(key: string, now: number, policy: ThrottlePolicy): Promise<number | null> {
    const row = await this.db
      .insertInto('login_throttle')
      .values({ key, failures: 1, window_start: now, locked_until: null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => {
          const fresh = eb.or([
            eb('login_throttle.window_start', '<=', now - policy.windowMs),
            eb('login_throttle.locked_until', '<=', now),
          ]);
          return {
            failures: eb
              .case()
              .when(fresh)
              .then(1)
              .else(eb('login_throttle.failures', '+', 1))
              .end(),
            window_start: eb.case().when(fresh).then(now).else(eb.ref('login_throttle.window_start')).end(),
            locked_until: eb.case().when(fresh).then(null).else(eb.ref('login_throttle.locked_until')).end(),
          };
        }),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    if (Number(row.failures) <= policy.maxFailures) return null;
    const until = now + policy.lockMs;
    await this.db.updateTable('login_throttle').set({ locked_until: until }).where('key', '=', key).execute();
    return until;
  }

  /** Takes back one attempt counted by `countAttempt` (the password was right, or could not be checked). */
  async forgive(key: string): Promise<void> {
    await this.db
      .updateTable('login_throttle')
      .set((eb) => ({ failures: eb('failures', '-', 1) }))
      .where('key', '=', key)
      .where('failures', '>', 0)
      .execute();
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}
