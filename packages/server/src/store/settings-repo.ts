import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../ids.js';
import type { Database } from './schema.js';

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Server-wide settings and API tokens. */
export class SettingsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** The key run tokens are derived from; created once, the same for every node. */
  async serverKey(): Promise<Buffer> {
    await this.db
      .insertInto('settings')
      .values({ key: 'run_token_key', value: randomBytes(32).toString('base64') })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'run_token_key')
      .executeTakeFirstOrThrow();
    return Buffer.from(row.value, 'base64');
  }

  /**
   * Creates an admin API token with the given value when the store has no
   * token yet (JOBCENTER_BOOTSTRAP_TOKEN). Answers whether it was created.
   */
  async bootstrapToken(token: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const any = await trx.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst();
      if (any) return false;
      await trx
        .insertInto('api_tokens')
        .values({
          id: newId(now),
          name: 'bootstrap',
          token_hash: hashToken(token),
          role: 'admin',
          created_at: now,
          last_used_at: null,
        })
        .execute();
      return true;
    });
  }

  async hasTokens(): Promise<boolean> {
    const any = await this.db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst();
    return any !== undefined;
  }

  /** The token's id and role when it is valid. */
  async checkToken(token: string, now: number): Promise<{ id: string; role: string } | null> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'role', 'last_used_at'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row) return null;
    // Coarse last-use tracking: at most one write per token per minute.
    if (row.last_used_at === null || now - Number(row.last_used_at) > 60_000) {
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    return { id: row.id, role: row.role };
  }
}
