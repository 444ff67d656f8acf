import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Server-wide settings. */
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
}
