import type { Tx } from '../db/transaction.ts'

/** A job to run after the transaction that queues it commits (and never if it rolls back). */
export interface JobSpec {
  task: string
  payload?: Record<string, unknown>
  /** Jobs of one queue run one at a time, in the order they were queued. */
  queue?: string
  runAt?: Date
  /**
   * Run no sooner than this many ms after the database's now: for waits measured from the
   * injected clock (a test clock may stand days away from the database's), whose job then
   * checks the clock itself.
   */
  delayMs?: number
  maxAttempts?: number
  /** A job with the same key that has not started yet is replaced (de-duplication). */
  key?: string
  priority?: number
  /**
   * How a keyed job that has not started yet is replaced: `replace` (default) takes the new run
   * time and payload; `preserve_run_at` keeps the waiting job's run time.
   */
  keyMode?: 'replace' | 'preserve_run_at'
}

/**
 * Queues a job in the caller's transaction: graphile-worker's `add_job` is plain SQL, so the job
 * row commits or rolls back with the change that causes it, and LISTEN/NOTIFY wakes a worker at
 * commit.
 */
export async function addJob(tx: Tx, job: JobSpec): Promise<void> {
  await tx.sql`
    SELECT 1 FROM graphile_worker.add_job(
      ${job.task}, ${JSON.stringify(job.payload ?? {})}::json,
      queue_name := ${job.queue ?? null}::text,
      run_at := COALESCE(${job.runAt ?? null}::timestamptz, now() + ${job.delayMs ?? null}::int * interval '1 millisecond'),
      max_attempts := ${job.maxAttempts ?? null}::int, job_key := ${job.key ?? null}::text,
      priority := ${job.priority ?? null}::int, job_key_mode := ${job.keyMode ?? null}::text)`
}
