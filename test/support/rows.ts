import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

/** How many rows a table holds: what tests read to show that a refused request wrote nothing. */
export async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
