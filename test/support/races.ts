import type pg from 'pg'
import type { TestContext } from '../helper.ts'

/** `count` requests made by `make`, started together. */
export function atOnce<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => make(i)))
}

/**
 * Runs `work` in a transaction of its own connection, which it may leave holding row locks, then
 * starts `request` and waits until the request is either answered or blocked on a lock of this
 * database (no sleeping for a guessed time: the server says when it waits), then commits and
 * returns the request's answer with which of the two came first.
 */
export async function whileLocked<T>(
  ctx: TestContext,
  work: (client: pg.PoolClient) => Promise<unknown>,
  request: () => Promise<T>,
): Promise<{ answer: T; blocked: boolean }> {
  const client = await ctx.client.pool.connect()
  try {
    await client.query('BEGIN')
    await work(client)
    let answered = false
    const pending = request().finally(() => {
      answered = true
    })
    let blocked = false
    while (!answered && !blocked) {
      const { rows } = await ctx.client.pool.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
      blocked = rows[0]!.waiting > 0
      if (!blocked) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await client.query('COMMIT')
    return { answer: await pending, blocked }
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}
