import { ConfigError, loadConfig, type Config } from '../src/config.ts'
import { resolveDatabase } from '../src/db/prepare.ts'

/**
 * The database selection every script shares with `npm start`: DATABASE_URL when set, else the
 * embedded PostgreSQL under .data/ (started for the script and stopped after, unless running).
 */
export async function withConfiguredDatabase(work: (url: string, config: Config) => Promise<number | void>): Promise<never> {
  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error)
    process.exit(1)
  }
  let exitCode = 0
  const database = await resolveDatabase(config, (line) => console.error(line))
  try {
    exitCode = (await work(database.url, config)) ?? 0
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    exitCode = 1
  } finally {
    await database.stop()
  }
  process.exit(exitCode)
}
