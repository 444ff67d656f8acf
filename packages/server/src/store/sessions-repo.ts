import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** How long an ended session is kept so its browser hears "expired", ms (1 day). */
export const SESSION_PRUNE_GRACE_MS = 86_400_000;

export interface Session {
  idHash: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** Console sessions, keyed by the digest of the cookie value. */
export class SessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(session: Session & { ip: string | null; userAgent: string | null }): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: session.idHash,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
        ip: session.ip,
        user_agent: session.userAgent?.slice(0, 256) ?? null,
      })
      .execute();
  }

  async find(idHash: string): Promise<Session | null> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return null;
    return {
      idHash: row.id_hash,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      createdAt: Number(row.created_at),
      lastSeenAt: Number(row.last_seen_at),
      expiresAt: Number(row.expires_at),
    };
  }

  async touch(idHash: string, now: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  /** Ends every session of a user (disabled, password changed). */
  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  /**
   * Removes sessions that ended (absolute expiry, or idle longer than
   * `idleMs`) more than `graceMs` ago. Until then a returning browser is
   * told its session expired, rather than that it is unknown.
   */
  async prune(now: number, idleMs: number, graceMs = SESSION_PRUNE_GRACE_MS): Promise<number> {
    const before = now - graceMs;
    const result = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', before), eb('last_seen_at', '<=', before - idleMs)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
