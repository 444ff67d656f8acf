import type { Kysely, Selectable } from 'kysely';
import type { Grant } from '../domain/access.js';
import type { ApiTokensTable, Database } from './schema.js';

export interface ApiToken {
  id: string;
  name: string;
  userId: string;
  /** Null: the owner's own rights at each call. */
  scope: Grant | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

function tokenFromRow(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    userId: row.user_id ?? '',
    scope: row.scope === null ? null : (JSON.parse(row.scope) as Grant),
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/** API tokens, stored as digests; the value itself is shown once, at creation. */
export class TokensRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: Omit<ApiToken, 'revokedAt' | 'lastUsedAt'> & { digest: string }): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: token.id,
        name: token.name,
        token_hash: token.digest,
        role: 'user',
        user_id: token.userId,
        scope: token.scope === null ? null : JSON.stringify(token.scope),
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
  }

  /** The token with this digest, whatever its state (the caller checks expiry and revocation). */
  async findByDigest(digest: string): Promise<ApiToken | null> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', digest)
      .executeTakeFirst();
    return row ? tokenFromRow(row) : null;
  }

  async find(id: string): Promise<ApiToken | null> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? tokenFromRow(row) : null;
  }

  /** A user's tokens, or everyone's (null), newest first. */
  async list(userId: string | null): Promise<ApiToken[]> {
    let query = this.db.selectFrom('api_tokens').selectAll();
    if (userId !== null) query = query.where('user_id', '=', userId);
    return (await query.orderBy('id', 'desc').execute()).map(tokenFromRow);
  }

  /** Marks a token revoked (idempotent: the first revocation time stays). */
  async revoke(id: string, now: number): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Coarse last-use tracking: at most one write per token per minute. */
  async touch(token: ApiToken, now: number): Promise<void> {
    if (token.lastUsedAt !== null && now - token.lastUsedAt < 60_000) return;
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', token.id).execute();
  }

  async any(): Promise<boolean> {
    return (await this.db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst()) !== undefined;
  }
}
