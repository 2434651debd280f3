import path from 'node:path'
import { buildApp } from './app.ts'
import { loadConfig } from './config.ts'
import { PROJECT_ROOT } from './paths.ts'

export const CONTRACT_FILE = path.join(PROJECT_ROOT, 'openapi', 'openapi.json')

/**
 * The OpenAPI document exactly as the routes generate it, formatted as committed. Building the
 * app opens no database connection (the pool connects on first query), so no server is needed.
 */
export async function renderContract(): Promise<string> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PROCESS_ROLES: 'api' })
  const app = await buildApp({ ...config, databaseUrl: 'postgresql://contract@127.0.0.1:1/contract' }, { logger: false })
  try {
    await app.ready()
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await app.close()
  }
}
