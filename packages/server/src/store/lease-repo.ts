import { type Kysely, sql } from 'kysely';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';

export interface Lease {
  holder: string;
  epoch: number;
  expiresAt: number;
  /** Every fire at or before this instant was written by a previous holder. */
  firedThrough: number;
}

/**
 * The leader lease. Expiry is judged by the database's clock on PostgreSQL
 * (nodes' clocks may disagree); on SQLite there is only one machine.
 */
export class LeaseRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** The database's clock in epoch ms. */
  async dbNow(): Promise<number> {
    if (this.dialect.name === 'sqlite') return Date.now();
    const { rows } = await sql<{
      now: number;
    }>`SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS now`.execute(this.db);
    return Number(rows[0]?.now);
  }

  /**
   * Takes the lease when it is free, expired or already ours; a take-over
   * bumps the epoch. Answers the lease held, or null when another holder's
   * lease is still valid. `initialFiredThrough` seeds a lease row that does not exist yet.
   */
  async acquire(
    name: string,
    holder: string,
    ttlMs: number,
    initialFiredThrough: number,
  ): Promise<Lease | null> {
    return this.db.transaction().execute(async (trx) => {
      const now = await this.dbNow();
      const current = await trx
        .selectFrom('leases')
        .selectAll()
        .where('name', '=', name)
        .$call((q) => (this.dialect.supportsSkipLocked ? q.forUpdate() : q))
        .executeTakeFirst();
      if (!current) {
        const lease = { holder, epoch: 1, expiresAt: now + ttlMs, firedThrough: initialFiredThrough };
        await trx
          .insertInto('leases')
          .values({ name, holder, epoch: 1, expires_at: lease.expiresAt, fired_through: initialFiredThrough })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        const check = await trx
          .selectFrom('leases')
          .selectAll()
          .where('name', '=', name)
          .executeTakeFirstOrThrow();
        return check.holder === holder && Number(check.epoch) === 1 ? lease : null;
      }
      const expiresAt = Number(current.expires_at);
      if (current.holder !== holder && expiresAt > now) return null;
      const epoch = Number(current.epoch) + 1;
      const taken = await trx
        .updateTable('leases')
        .set({ holder, epoch, expires_at: now + ttlMs })
        .where('name', '=', name)
        .where('epoch', '=', Number(current.epoch))
        .executeTakeFirst();
      // Another node took it between our read and our write.
      if (Number(taken.numUpdatedRows) !== 1) return null;
      return { holder, epoch, expiresAt: now + ttlMs, firedThrough: Number(current.fired_through) };
    });
  }

  /** Extends our lease; false when it is no longer ours (taken over after expiry). */
  async renew(
    name: string,
    holder: string,
    epoch: number,
    ttlMs: number,
    firedThrough?: number,
  ): Promise<boolean> {
    const now = await this.dbNow();
    const result = await this.db
      .updateTable('leases')
      .set({
        expires_at: now + ttlMs,
        ...(firedThrough !== undefined
          ? {
              fired_through: sql<number>`case when fired_through > ${firedThrough} then fired_through else ${firedThrough} end`,
            }
          : {}),
      })
      .where('name', '=', name)
      .where('holder', '=', holder)
      .where('epoch', '=', epoch)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives the lease up at once (clean shutdown), so a successor need not wait for the TTL. */
  async release(name: string, holder: string, epoch: number): Promise<void> {
    await this.db
      .updateTable('leases')
      .set({ expires_at: 0 })
      .where('name', '=', name)
      .where('holder', '=', holder)
      .where('epoch', '=', epoch)
      .execute();
  }

  async find(name: string): Promise<Lease | null> {
    const row = await this.db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
    return row
      ? {
          holder: row.holder,
          epoch: Number(row.epoch),
          expiresAt: Number(row.expires_at),
          firedThrough: Number(row.fired_through),
        }
      : null;
  }
}
