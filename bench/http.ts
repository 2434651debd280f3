// npm run bench:http — throughput and latency of GET /health and GET /v1/suppliers on this machine.
// The API runs in its own process on the embedded PostgreSQL (or DATABASE_URL), migrated and
// seeded; autocannon drives it over real HTTP. Figures are printed, never asserted.
import autocannon from 'autocannon'
import { loadConfig } from '../src/config.ts'
import { prepareDatabase } from '../src/db/prepare.ts'
import { startApiProcess } from './api-process.ts'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_DEMO_DATA: 'true' })
const database = await prepareDatabase(config, { log: () => {} })
const api = await startApiProcess(database.url)

console.log(`node ${process.version}, API in its own process, ${CONNECTIONS} connections, ${DURATION_S} s per route, pool ${config.dbPoolMax}\n`)
console.log('route'.padEnd(22), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'non-2xx'.padStart(8), 'errors'.padStart(7))
try {
  // Warm-up, not measured.
  await autocannon({ url: `${api.base}/v1/suppliers`, connections: 10, duration: 3 })
  for (const path of ['/health', '/v1/suppliers']) {
    const result = await autocannon({ url: `${api.base}${path}`, connections: CONNECTIONS, duration: DURATION_S })
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
  await api.stop()
  await database.stop()
}
