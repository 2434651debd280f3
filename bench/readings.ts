// npm run bench:readings — authenticated reading submissions from many accounts over HTTP to the API
// running in its own process (PROCESS_ROLES=api) with a worker process beside it, as production
// runs them: at a fixed 200 req/s (the target: p99 under 50 ms), then as fast as it goes.
// A scratch database (migrated, seeded, dropped after) on the embedded PostgreSQL or DATABASE_URL.
// `npm run bench:readings:vs [ref]` runs this against an earlier commit's, alternating, in one run.
import autocannon from 'autocannon'
import { hashPassword } from '../src/auth/password.ts'
import { loadConfig } from '../src/config.ts'
import { startApiProcess, startWorkerProcess } from './api-process.ts'
import { withDemoDatabase } from './demo-database.ts'

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 500)
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20)
const PASSWORD = 'bench reading passphrase 1'

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', BCRYPT_COST: '4', RATE_LIMIT_MAX: '100000000', AUTH_RATE_LIMIT_MAX: '100000000', SEED_DEMO_DATA: 'false' })

await withDemoDatabase(
  config,
  async (db) => {
    const supplier = await db.prisma.supplier.update({ where: { code: 'sibteplo' }, data: { readingWindowStartDay: 1, readingWindowEndDay: 31 } })
    const hash = await hashPassword(PASSWORD, config.auth.passwordPepper, 4)
    // People, accounts and meters, set-based.
    await db.pool.query(
      `WITH n AS (SELECT generate_series(1, $1::int) AS i),
       accounts AS (
         INSERT INTO account (id, "supplierId", number, "holderSurname", address, services, "updatedAt")
         SELECT gen_random_uuid(), $2::uuid, (5600000000 + i)::text, 'Бенчев', 'ул. Нагрузочная, ' || i, '{hot_water}', now() FROM n
         RETURNING id, number),
       meters AS (
         INSERT INTO meter (id, "accountId", service, "serialNumber", "digitCapacity", "verificationDueAt", "updatedAt")
         SELECT gen_random_uuid(), id, 'hot_water', 'B-' || number, 6, '2035-01-01', now() FROM accounts RETURNING id, "accountId"),
       people AS (
         INSERT INTO "user" (id, role, email, "emailConfirmedAt", surname, "passwordHash", "updatedAt")
         SELECT gen_random_uuid(), 'customer', 'p' || number || '@bench.test', now(), 'Бенчев', $3, now() FROM accounts RETURNING id, email)
       INSERT INTO user_account ("userId", "accountId")
       SELECT p.id, a.id FROM people p JOIN accounts a ON p.email = 'p' || a.number || '@bench.test'`,
      [PEOPLE, supplier.id, hash],
    )
    const targets = (
      await db.pool.query<{ email: string; account_id: string; meter_id: string }>(
        `SELECT u.email, a.id AS account_id, m.id AS meter_id FROM "user" u JOIN user_account ua ON ua."userId" = u.id
         JOIN account a ON a.id = ua."accountId" JOIN meter m ON m."accountId" = a.id WHERE u.email LIKE '%@bench.test'`,
      )
    ).rows
    return targets
  },
  async (url, targets) => {
    const api = await startApiProcess(url, { PROCESS_ROLES: 'api' })
    const worker = startWorkerProcess(url)
    const { base } = api
    // Logged in a few at a time: a login refused under load would put `Bearer undefined` into the
    // measured requests (401s counted as answers), so any failure stops the bench.
    const sessions: ((typeof targets)[number] & { token: string })[] = []
    for (let i = 0; i < targets.length; i += 20) {
      sessions.push(
        ...(await Promise.all(
          targets.slice(i, i + 20).map(async (t) => {
            const res = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: t.email, password: PASSWORD }) })
            if (res.status !== 200) throw new Error(`login of ${t.email} answered ${res.status}: ${await res.text()}`)
            const { accessToken } = (await res.json()) as { accessToken: string }
            return { ...t, token: accessToken }
          }),
        )),
      )
    }

    let n = 0
    const request = {
      method: 'POST' as const,
      path: '/',
      setupRequest: (req: autocannon.Request) => {
        const target = sessions[n++ % sessions.length]!
        return {
          ...req,
          path: `/v1/accounts/${target.account_id}/readings`,
          headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ meterId: target.meter_id, values: { T1: `${100 + (n % 1000)}.${n % 1000}` } }),
        }
      },
    }
    console.log(`node ${process.version}, API and worker in processes of their own, ${sessions.length} people with a meter each, pool ${config.dbPoolMax}, ${DURATION_S} s per run\n`)
    console.log('run'.padEnd(22), 'req/s'.padStart(8), 'p50 ms'.padStart(8), 'p90 ms'.padStart(8), 'p99 ms'.padStart(8), 'max ms'.padStart(8), '2xx'.padStart(7), 'other'.padStart(6))
    // Warm-up, not measured: JIT, pool connections, PostgreSQL's caches.
    await autocannon({ url: base, duration: 5, requests: [request], connections: 10, overallRate: 150 })
    for (const [name, options] of [
      // autocannon paces each connection on its own timer: with 20 connections the requests come in
      // bursts of 20 at once; with 4 the same 200 req/s arrive evenly. Both are printed.
      ['200 req/s, 4 conns', { connections: 4, overallRate: 200 }],
      ['200 req/s, 20 conns', { connections: 20, overallRate: 200 }],
      ['unthrottled, 20 conns', { connections: 20 }],
    ] as const) {
      const result = await autocannon({ url: base, duration: DURATION_S, requests: [request], ...options })
      console.log(
        name.padEnd(22),
        result.requests.average.toFixed(0).padStart(8),
        String(result.latency.p50).padStart(8),
        String(result.latency.p90).padStart(8),
        String(result.latency.p99).padStart(8),
        String(result.latency.max).padStart(8),
        String(result['2xx']).padStart(7),
        String(result.non2xx + result.errors).padStart(6),
      )
      // Requests autocannon abandoned at the deadline still finish on the server before the next run.
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    await api.stop()
    await worker.stop()
  },
)
