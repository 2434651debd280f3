import { setPriority } from 'node:os'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { ensureDevelopmentAdmin } from './auth/development-admin.ts'
import { ConfigError, loadConfig } from './config.ts'
import { prepareDatabase } from './db/prepare.ts'

/**
 * Starts the process in the roles PROCESS_ROLES names (`npm start`: API and worker in one): validates the configuration, brings up the database (the embedded PostgreSQL
 * when DATABASE_URL is unset), applies migrations, seeds an empty database, and listens.
 * Ctrl-C / SIGTERM: stop taking connections, finish requests, close the pool, stop PostgreSQL.
 */
export async function startProcess(env: Record<string, string | undefined> = process.env): Promise<void> {
  let config
  try {
    config = loadConfig(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }

  const database = await prepareDatabase(config, { log: (line) => console.log(line) })
  await ensureDevelopmentAdmin(config, database.url, (line) => console.log(line))
  const app = await buildApp({ ...config, databaseUrl: database.url })

  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'stopping after an error')
    else app.log.info({ signal }, 'stopping')
    await app.close()
    await database.stop()
  })

  if (!config.roles.api) {
    // Background work yields the CPU to request handling where they share cores (it makes no
    // difference where nothing competes): a provider's notification or a bank's lookup waits on
    // an API process, a job only on its queue.
    if (config.jobs.nice > 0) {
      try {
        setPriority(config.jobs.nice)
      } catch (error) {
        app.log.warn({ err: error }, 'could not lower the worker process priority (WORKER_NICE)')
      }
    }
    // PROCESS_ROLES=worker: the jobs run from app.ready(); nothing listens.
    await app.ready()
    return
  }
  await app.listen({ host: config.host, port: config.port })
  app.log.info(`API docs at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/docs`)
}
