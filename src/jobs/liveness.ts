import { hostname } from 'node:os'
import { randomInt } from 'node:crypto'
import pg from 'pg'

// Advisory lock class of worker processes ('JOBS'); the key is the process's own random number.
export const WORKER_LOCK_CLASS = 0x4a4f4253

/**
 * Proof that a worker process is alive: a session advisory lock held on a connection of its own.
 * When the process dies, even by SIGKILL, PostgreSQL drops the connection and the lock with it.
 */
export interface Liveness {
  lockKey: number
  addWorker(workerId: string): Promise<void>
  close(): Promise<void>
}

export async function holdLiveness(connectionString: string, onError: (error: Error) => void): Promise<Liveness> {
  const client = new pg.Client({ connectionString, application_name: 'abonent-worker' })
  client.on('error', onError)
  await client.connect()
  const lockKey = randomInt(1, 2 ** 31 - 1)
  // Lock first, then the row: a sweeper that sees the row without the lock may trust it is dead.
  await client.query('SELECT pg_advisory_lock($1::int, $2::int)', [WORKER_LOCK_CLASS, lockKey])
  await client.query(`INSERT INTO worker_process ("lockKey", "workerIds", host, pid) VALUES ($1, '{}', $2, $3)`, [lockKey, hostname(), process.pid])
  let closed = false
  return {
    lockKey,
    async addWorker(workerId) {
      if (!closed) await client.query(`UPDATE worker_process SET "workerIds" = array_append("workerIds", $2) WHERE "lockKey" = $1`, [lockKey, workerId])
    },
    async close() {
      if (closed) return
      closed = true
      await client.query(`DELETE FROM worker_process WHERE "lockKey" = $1`, [lockKey]).catch(() => {})
      await client.end().catch(() => {})
    },
  }
}

/**
 * Releases the jobs of worker processes that died: rows whose advisory lock nobody holds. Safe
 * to run from every worker at once (the DELETE hands each dead row to one sweeper).
 */
export const RECOVER_DEAD_WORKERS_SQL = `
  WITH dead AS (
    DELETE FROM worker_process wp
    WHERE NOT EXISTS (
      SELECT 1 FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = ${WORKER_LOCK_CLASS}::oid AND l.objid = wp."lockKey"::oid)
    RETURNING "workerIds"),
  ids AS (SELECT coalesce(array_agg(w), '{}') AS ids FROM dead, unnest(dead."workerIds") w)
  SELECT cardinality(ids) AS released, graphile_worker.force_unlock_workers(ids) IS NULL AS done FROM ids`
