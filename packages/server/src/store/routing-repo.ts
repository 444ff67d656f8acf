/** The state routing keeps across deliveries: round-robin positions and members' running runs. */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './dialect.js';
import { chunk } from './json.js';
import { IS_OPEN } from './open-runs.js';
import type { Database } from './schema.js';

export class RoutingRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Every job's next round-robin position. */
  async positions(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('routing_positions').selectAll().execute();
    return new Map(rows.map((r) => [r.job_id, Number(r.next_index)]));
  }

  /** Saves positions, one statement per chunk (called once per batch of deliveries). */
  async savePositions(positions: ReadonlyMap<string, number>): Promise<void> {
    if (positions.size === 0) return;
    const rows = [...positions].map(([job_id, next_index]) => ({ job_id, next_index }));
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunk(rows, 2, this.dialect.maxParams)) {
        await trx
          .insertInto('routing_positions')
          .values(part)
          .onConflict((oc) => oc.column('job_id').doUpdateSet({ next_index: sql`excluded.next_index` }))
          .execute();
      }
    });
  }

  /** Running runs per member URL (members with none are absent). */
  async runningByMember(urls: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (urls.length === 0) return out;
    const rows = await this.db
      .selectFrom('runs')
      .select(['member', (eb) => eb.fn.countAll<number>().as('n')])
      // The open-runs partial index first; then only the running ones of these members.
      .where(IS_OPEN)
      .where('status', '=', 'running')
      .where('member', 'in', [...urls])
      .groupBy('member')
      .execute();
    for (const r of rows) if (r.member !== null) out.set(r.member, Number(r.n));
    return out;
  }
}
