import type pg from 'pg'

export interface QueueStats {
  /** Jobs due now that no worker has taken yet. */
  waiting: number
  /** Seconds the oldest of them has been due (0 when none waits). */
  oldestWaitingSeconds: number
  running: number
  /** Jobs waiting for a later attempt or a later run time. */
  scheduled: number
  /** Jobs that used all their attempts; an admin can retry them. */
  failed: number
}

export async function queueStats(db: Pick<pg.Pool, 'query'>): Promise<QueueStats> {
  const { rows } = await db.query<QueueStats>(
    `SELECT count(*) FILTER (WHERE due)::int AS waiting,
            coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE due)), 0)::float8 AS "oldestWaitingSeconds",
            count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
            count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts AND run_at > now())::int AS scheduled,
            count(*) FILTER (WHERE attempts >= max_attempts AND locked_at IS NULL)::int AS failed
     FROM (SELECT *, locked_at IS NULL AND attempts < max_attempts AND run_at <= now() AS due FROM graphile_worker.jobs) j`,
  )
  return rows[0]!
}
