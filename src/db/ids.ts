import type { Tx } from './transaction.ts'

/**
 * The SQL function that makes new ids in bulk inserts: `uuidv7()` where the server has it
 * (PostgreSQL 18), whose time-ordered ids keep primary-key inserts at the right edge of the index;
 * `gen_random_uuid()` on older servers (a DATABASE_URL may point at one).
 */
export async function newIdFunction(db: Tx): Promise<'uuidv7()' | 'gen_random_uuid()'> {
  const [row] = await db.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)
  return Number(row!.v) >= 180000 ? 'uuidv7()' : 'gen_random_uuid()'
}
