// npm run bench:http — throughput and latency of GET /health and GET /v1/suppliers on this machine.
// Starts the app in-process on the embedded PostgreSQL (or DATABASE_URL), migrated and seeded,
// and drives it over real HTTP with autocannon. Figures are printed, never asserted.
import autocannon from 'autocannon'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { prepareDatabase } from '../src/db/prepare.ts'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

// The rate limiter would answer 429 to a single-IP load generator; the bench measures the routes.
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', SEED_DEMO_DATA: 'true' })
const database = await prepareDatabase(config, { log: () => {} })
const app = await buildApp({ ...config, databaseUrl: database.url })
await app.listen({ host: '127.0.0.1', port: 0 })
const { port } = app.server.address() as { port: number }

console.log(`node ${process.version}, ${CONNECTIONS} connections, ${DURATION_S} s per route, pool ${config.dbPoolMax}\n`)
console.log('route'.padEnd(22), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'non-2xx'.padStart(8), 'errors'.padStart(7))
try {
  for (const path of ['/health', '/v1/suppliers']) {
    const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: CONNECTIONS, duration: DURATION_S })
    console.log(
      path.padEnd(22),
      result.requests.average.toFixed(0).padStart(9),
      String(result.latency.p50).padStart(8),
      String(result.latency.p99).padStart(8),
      String(result.non2xx).padStart(8),
      String(result.errors).padStart(7),
    )
  }
} finally {
  await app.close()
  await database.stop()
}
