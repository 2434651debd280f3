// npm run bench:pdf — do PDFs stall the API? Clients fetch 60-period statement PDFs and receipt
// PDFs as fast as the API renders them, while others call GET /health and GET /v1/suppliers; the
// latencies of the latter are printed with and without the PDF load, and the PDFs/s. The API runs
// in its own process (PDF_THREADS render threads) on the embedded PostgreSQL. Printed, never asserted.
import autocannon from 'autocannon'
import { hashPassword } from '../src/auth/password.ts'
import { loadConfig } from '../src/config.ts'
import { createDatabaseClient } from '../src/db/client.ts'
import { prepareDatabase } from '../src/db/prepare.ts'
import { startApiProcess } from './api-process.ts'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const PDF_CONNECTIONS = Number(process.env.BENCH_PDF_CONNECTIONS ?? 20)
const EMAIL = 'bench-admin@example.test'
const PASSWORD = 'бенчмарк печатает квитанции 2026'

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_DEMO_DATA: 'true' })
const database = await prepareDatabase(config, { log: () => {} })
const db = createDatabaseClient(database.url, { max: 2 })
let accountId: string
try {
  const account = await db.prisma.account.findFirstOrThrow({ where: { number: '5400012345' } })
  accountId = account.id
  await db.prisma.user.deleteMany({ where: { email: EMAIL } })
  await db.prisma.user.create({
    data: { role: 'admin', email: EMAIL, emailConfirmedAt: new Date(), surname: 'Бенчмарк', passwordHash: await hashPassword(PASSWORD, config.auth.passwordPepper, config.auth.bcryptCost) },
  })
  // 60 periods of heat and hot water, and a payment in each: the statement's table fills pages.
  await db.prisma.charge.deleteMany({ where: { accountId } })
  await db.pool.query(
    `INSERT INTO charge (id, "accountId", period, service, kind, quantity, tariff, amount)
     SELECT gen_random_uuid(), $1::uuid, p::date, s::"Service", 'metered', 1.5, 2754.12, 4131.18
     FROM generate_series(date '2021-12-01', date '2026-11-01', interval '1 month') p, unnest(ARRAY['heat', 'hot_water']) s`,
    [accountId],
  )
  await db.pool.query(`DELETE FROM payment WHERE "accountId" = $1::uuid AND provider = 'bench'`, [accountId])
  await db.pool.query(
    `INSERT INTO payment (id, "accountId", amount, status, provider, "externalId", "paidAt")
     SELECT gen_random_uuid(), $1::uuid, 8000, 'succeeded', 'bench', p::text, p + interval '20 days' FROM generate_series(date '2021-12-01', date '2026-11-01', interval '1 month') p`,
    [accountId],
  )
} finally {
  await db.close()
}

const api = await startApiProcess(database.url, process.env.PDF_THREADS ? { PDF_THREADS: process.env.PDF_THREADS } : {})
const login = await fetch(`${api.base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: EMAIL, password: PASSWORD }) })
const { accessToken } = (await login.json()) as { accessToken: string }
const auth = { authorization: `Bearer ${accessToken}` }
const statementUrl = `${api.base}/v1/accounts/${accountId}/statement?from=2021-12&to=2026-11`

const row = (label: string, r: autocannon.Result) =>
  console.log(label.padEnd(34), r.requests.average.toFixed(1).padStart(8), String(r.latency.p50).padStart(8), String(r.latency.p99).padStart(8), String(r.non2xx).padStart(8))

console.log(`node ${process.version}, API in its own process, PDF_THREADS ${process.env.PDF_THREADS ?? 'default'}, ${PDF_CONNECTIONS} PDF connections, ${DURATION_S} s\n`)
console.log('load'.padEnd(34), 'req/s'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'non-2xx'.padStart(8))
try {
  // Warm-up (render threads start, JIT), not measured.
  await autocannon({ url: statementUrl, headers: { ...auth, accept: 'application/pdf' }, connections: 4, duration: 3 })
  for (const path of ['/health', '/v1/suppliers']) row(`${path} alone`, await autocannon({ url: `${api.base}${path}`, connections: 5, duration: DURATION_S }))
  for (const path of ['/health', '/v1/suppliers']) {
    const [pdfs, other] = await Promise.all([
      autocannon({ url: statementUrl, headers: { ...auth, accept: 'application/pdf' }, connections: PDF_CONNECTIONS, duration: DURATION_S }),
      autocannon({ url: `${api.base}${path}`, connections: 5, duration: DURATION_S }),
    ])
    row(`statement PDFs (60 periods)`, pdfs)
    row(`${path} during the PDFs`, other)
  }
} finally {
  await api.stop()
  await database.stop()
}
