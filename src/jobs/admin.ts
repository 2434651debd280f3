import { Prisma } from '../generated/prisma/client.ts'
import { ConflictError, NotFoundError } from '../common/errors.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE } from '../common/schemas.ts'
import type { Tx } from '../db/transaction.ts'
import type { JobListQuery, JobView } from './schemas.ts'

interface JobRow {
  id: string
  task: string
  queue: string | null
  key: string | null
  payload: unknown
  attempts: number
  maxAttempts: number
  lastError: string | null
  runAt: Date
  createdAt: Date
  updatedAt: Date
  state: JobView['state']
}

const STATE_SQL = Prisma.sql`CASE WHEN j.locked_at IS NOT NULL THEN 'running'
  WHEN j.attempts >= j.max_attempts THEN 'failed'
  WHEN j.run_at > now() THEN 'scheduled' ELSE 'waiting' END`

const SELECT_JOBS = Prisma.sql`
  SELECT j.id::text AS id, t.identifier AS task, q.queue_name AS queue, j.key, j.payload, j.attempts::int AS attempts,
         j.max_attempts::int AS "maxAttempts", j.last_error AS "lastError", j.run_at AS "runAt", j.created_at AS "createdAt",
         j.updated_at AS "updatedAt", ${STATE_SQL} AS state
  FROM graphile_worker._private_jobs j
  JOIN graphile_worker._private_tasks t ON t.id = j.task_id
  LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id`

function viewOf(row: JobRow): JobView {
  return { ...row, runAt: row.runAt.toISOString(), createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }
}

/** The queue as an admin sees it: what waits, what runs, what failed and why. */
export async function listJobs(db: Tx, query: JobListQuery) {
  const { limit = DEFAULT_PAGE_SIZE, cursor } = query
  const after = cursor ? BigInt(decodeCursor(cursor, ['string'])[0] as string) : null
  const rows = await db.$queryRaw<JobRow[]>`
    SELECT * FROM (${SELECT_JOBS}) jobs
    WHERE (${query.state ?? null}::text IS NULL OR state = ${query.state ?? null}::text)
      AND (${query.task ?? null}::text IS NULL OR task = ${query.task ?? null}::text)
      AND (${after}::bigint IS NULL OR id::bigint < ${after}::bigint)
    ORDER BY id::bigint DESC LIMIT ${limit + 1}`
  return pageOf(rows, limit, (r) => [r.id], viewOf)
}

async function findJob(db: Tx, jobId: string): Promise<JobRow> {
  const rows = /^\d{1,18}$/.test(jobId) ? await db.$queryRaw<JobRow[]>`SELECT * FROM (${SELECT_JOBS}) jobs WHERE id = ${jobId}` : []
  if (!rows[0]) throw new NotFoundError('job_not_found', 'No such job (finished jobs leave the queue).')
  return rows[0]
}

export { findJob }

/** A failed job gets a fresh set of attempts, due now. */
export async function retryJob(db: Tx, jobId: string): Promise<JobView> {
  const job = await findJob(db, jobId)
  if (job.state !== 'failed') throw new ConflictError('job_not_failed', `The job is ${job.state}; only a failed job can be retried.`)
  await db.$queryRaw`SELECT 1 FROM graphile_worker.reschedule_jobs(ARRAY[${BigInt(jobId)}::bigint], run_at := now(), attempts := 0)`
  return viewOf(await findJob(db, jobId))
}
