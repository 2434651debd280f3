import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import {
  Logger,
  parseCronItems,
  run,
  runOnce,
  type CronItem,
  type JobHelpers,
  type LogLevel,
  type Runner,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker'
import { EventEmitter } from 'node:events'
import pg from 'pg'
import type { Tx } from '../db/transaction.ts'
import { addJob, type JobSpec } from './queue.ts'
import { RECOVER_DEAD_WORKERS_SQL, holdLiveness, type Liveness } from './liveness.ts'
import { queueStats, type QueueStats } from './stats.ts'

export type TaskHandler = (payload: Record<string, unknown>, helpers: JobHelpers) => Promise<void>

export interface Jobs {
  /** Names a task and its handler; domains call this when they register. */
  define(task: string, handler: TaskHandler): void
  /** Runs `task` on a schedule (cron syntax, UTC); once per tick across all workers. */
  schedule(task: string, match: string, options?: { maxAttempts?: number }): void
  /** Queues a job in the caller's transaction. */
  add(tx: Tx, job: JobSpec): Promise<void>
  /** Runs every job that is due now, one at a time, until none is left (tests; scripts). */
  drain(): Promise<void>
  /** Releases the jobs of worker processes that died; returns how many workers it released. */
  recoverDeadWorkers(): Promise<number>
  stats(): Promise<QueueStats>
}

declare module 'fastify' {
  interface FastifyInstance {
    jobs: Jobs
  }
}

const RECOVERY_TASK = 'jobs:recover-dead-workers'

/**
 * The job queue: graphile-worker on our PostgreSQL. Jobs are rows written in the business
 * transaction (`add`), so background work survives any restart; a process whose roles include
 * `worker` runs them (retries with exponential backoff, de-duplication by key, serial queues,
 * cron). Several API and worker processes on one database are safe: a job is locked by one
 * worker, cron ticks are claimed once, and the jobs of a worker that died are released as soon
 * as another worker notices (see liveness.ts).
 */
export default fp(
  async function jobsPlugin(app: FastifyInstance) {
    const tasks: TaskList = {}
    const cron: CronItem[] = []
    const log = app.log.child({ component: 'jobs' })
    const logger = new Logger((scope) => (level: LogLevel, message: string, meta?: unknown) => {
      const fields = { scope: { label: scope.label, taskIdentifier: scope.taskIdentifier, jobId: scope.jobId }, meta }
      if (level === 'error') log.error(fields, message)
      else if (level === 'warning') log.warn(fields, message)
      else if (level === 'info') log.info(fields, message)
      else log.debug(fields, message)
    })
    // The worker's own connections: its LISTEN and job fetching never wait behind API requests.
    const workerPool = new pg.Pool({ connectionString: app.config.databaseUrl, max: app.config.jobs.concurrency + 2, application_name: 'abonent-jobs' })
    workerPool.on('error', (error) => log.warn({ err: error }, 'idle job-queue connection failed'))
    workerPool.on('connect', (client) => client.on('error', (error) => log.warn({ err: error }, 'job-queue connection failed')))
    let runner: Runner | null = null
    let liveness: Liveness | null = null

    async function recoverDeadWorkers(): Promise<number> {
      const { rows } = await workerPool.query<{ released: number }>(RECOVER_DEAD_WORKERS_SQL)
      const released = rows[0]?.released ?? 0
      if (released > 0) log.warn({ released }, 'released the jobs of workers of a process that died')
      return released
    }

    tasks[RECOVERY_TASK] = async () => void (await recoverDeadWorkers())
    cron.push({ task: RECOVERY_TASK, match: '* * * * *', identifier: RECOVERY_TASK, options: { backfillPeriod: 0, maxAttempts: 1 } })

    const jobs: Jobs = {
      define(task, handler) {
        if (tasks[task]) throw new Error(`jobs: task ${task} is defined twice`)
        tasks[task] = (payload, helpers) => handler((payload ?? {}) as Record<string, unknown>, helpers)
      },
      schedule(task, match, options = {}) {
        cron.push({ task, match, identifier: task, options: { backfillPeriod: 0, maxAttempts: options.maxAttempts ?? 3 } })
      },
      add: (tx, job) => addJob(tx, { maxAttempts: app.config.jobs.maxAttempts, ...job }),
      async drain() {
        const events: WorkerEvents = new EventEmitter()
        let poolId = ''
        events.on('pool:create', ({ workerPool: pool }) => {
          poolId = pool.id
        })
        await runOnce({ pgPool: workerPool, taskList: tasks, noHandleSignals: true, logger, concurrency: 1, events })
        // The queue records a job's success or failure after the worker moves on (not awaited):
        // wait for those writes, so a caller reads the outcome rather than a job still locked.
        for (let i = 0; i < 2000; i++) {
          const { rows } = await workerPool.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_by = $1', [poolId])
          if (rows[0]!.n === 0) return
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      },
      recoverDeadWorkers,
      stats: () => queueStats(workerPool),
    }
    app.decorate('jobs', jobs)

    if (app.config.roles.worker) {
      app.addHook('onReady', async () => {
        liveness = await holdLiveness(app.config.databaseUrl!, (error) => log.error({ err: error }, 'worker liveness connection failed'))
        await recoverDeadWorkers()
        const events: WorkerEvents = new EventEmitter()
        // Jobs are locked in the name of the worker pool: that id is what a sweeper releases.
        events.on('pool:create', ({ workerPool: pool }) => {
          liveness?.addWorker(pool.id).catch((error: unknown) => log.error({ err: error }, 'could not record a worker pool'))
        })
        events.on('job:failed', ({ job, error }) => log.warn({ jobId: job.id, task: job.task_identifier, attempts: job.attempts, err: error }, 'job failed'))
        runner = await run({
          pgPool: workerPool,
          taskList: tasks,
          parsedCronItems: parseCronItems(cron),
          concurrency: app.config.jobs.concurrency,
          noHandleSignals: true,
          logger,
          events,
        })
        log.info({ concurrency: app.config.jobs.concurrency, lockKey: liveness.lockKey }, 'worker started')
      })
    }

    app.addHook('onClose', async () => {
      // Running jobs finish (or are released for another worker) before the pools close.
      if (runner) await runner.stop().catch((error: unknown) => log.error({ err: error }, 'worker stop failed'))
      runner = null
      await liveness?.close()
      await workerPool.end()
    })
  },
  { name: 'jobs', dependencies: ['config', 'prisma'] },
)
