// npm run bench:billing — billing runs over a large register: BENCH_ACCOUNTS accounts (default
// 1,000,000) across 3 suppliers with 2 services each, readings for ~85 % of the meters over
// BENCH_HISTORY_MONTHS months (default 12) plus the period's, ~3 % of the meters past their
// verification, a tariff change on the 16th, and BENCH_DEBT_MONTHS (default 6) months of charges
// before the period with their payments (~80 % on time, ~12 % 55 days late, ~8 % never: penalties
// to compute). The API and a worker run in processes of their own;
// the bench starts one run per supplier (side by side, as the worker's concurrency allows), then a re-run,
// and prints the time of each step, lines/s, and the peak RSS of the API and the worker; then the
// time of GET /v1/accounts/{id}/charges for an account with 36 periods of charges.
// A scratch database (migrated, seeded, dropped after) on the embedded PostgreSQL or DATABASE_URL.
import { readFileSync } from 'node:fs'
import { hashPassword } from '../src/auth/password.ts'
import { loadConfig } from '../src/config.ts'
import { createDatabaseClient } from '../src/db/client.ts'
import { startApiProcess, startWorkerProcess } from './api-process.ts'
import { seedBillingRegister } from './billing-seed.ts'
import { withDemoDatabase } from './demo-database.ts'

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000)
const HISTORY = Number(process.env.BENCH_HISTORY_MONTHS ?? 12)
const DEBT_MONTHS = Number(process.env.BENCH_DEBT_MONTHS ?? 6)
const PERIOD = '2026-11'
const PASSWORD = 'bench billing passphrase 1'

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', BCRYPT_COST: '4', SEED_DEMO_DATA: 'false' })
const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(7)
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

await withDemoDatabase(
  config,
  async (db) => {
    const t0 = performance.now()
    const q = (sql: string, values: unknown[] = []) => db.pool.query(sql, values)
    const suppliers = await seedBillingRegister(q, { accounts: ACCOUNTS, historyMonths: HISTORY, debtMonths: DEBT_MONTHS, period: PERIOD })
    await q('ANALYZE')
    const [{ n: readings }] = (await q(`SELECT count(*)::int AS n FROM reading`)).rows as [{ n: number }]
    const [{ charges, payments }] = (await q(`SELECT (SELECT count(*)::int FROM charge) AS charges, (SELECT count(*)::int FROM payment) AS payments`)).rows as [{ charges: number; payments: number }]
    console.log(
      `node ${process.version}; seeded ${ACCOUNTS.toLocaleString('en')} accounts, ${readings.toLocaleString('en')} readings, ` +
        `${charges.toLocaleString('en')} earlier charge lines, ${payments.toLocaleString('en')} payments in ${seconds(performance.now() - t0)} s`,
    )

    const hash = await hashPassword(PASSWORD, config.auth.passwordPepper, 4)
    await q(`INSERT INTO "user" (id, role, email, "emailConfirmedAt", surname, "passwordHash", "updatedAt") VALUES (gen_random_uuid(), 'admin', 'bench@billing.test', now(), 'Бенч', $1, now())`, [hash])
    return suppliers
  },
  async (url, suppliers) => {
    const api = await startApiProcess(url, { PROCESS_ROLES: 'api' })
    // The worker as deployed (WORKER_CONCURRENCY, default 4): the suppliers' runs, on queues of
    // their own, go side by side. BENCH_WORKER_CONCURRENCY=1 runs them one after another.
    const worker = startWorkerProcess(url, process.env.BENCH_WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY } : {})
    try {
    const { base } = api
    const login = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'bench@billing.test', password: PASSWORD }) })
    if (login.status !== 200) throw new Error(`login answered ${login.status}`)
    const { accessToken } = (await login.json()) as { accessToken: string }
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }

    async function runAll(label: string) {
      const started = performance.now()
      const ids: string[] = []
      for (const s of suppliers) {
        const res = await fetch(`${base}/v1/admin/billing-runs`, { method: 'POST', headers, body: JSON.stringify({ supplierId: s.id, period: PERIOD }) })
        if (res.status !== 202) throw new Error(`${s.code}: ${res.status} ${await res.text()}`)
        ids.push(((await res.json()) as { id: string }).id)
      }
      type Run = { status: string; summary: { lines: number; accounts: number; amount: string; timingsMs: Record<string, number> } | null; error: unknown; startedAt: string; finishedAt: string }
      const runs: Run[] = []
      for (const id of ids) {
        for (;;) {
          const run = (await (await fetch(`${base}/v1/admin/billing-runs/${id}`, { headers })).json()) as Run
          if (run.status === 'completed' || run.status === 'failed') {
            runs.push(run)
            break
          }
          await new Promise((resolve) => setTimeout(resolve, 250))
        }
      }
      const wall = performance.now() - started
      console.log(`\n${label}: ${seconds(wall)} s wall for the 3 runs`)
      console.log('supplier'.padEnd(14), 'status'.padEnd(10), 'accounts'.padStart(9), 'lines'.padStart(9), 'run s'.padStart(7), 'lines/s'.padStart(9), '  steps (s)')
      runs.forEach((run, i) => {
        if (run.status !== 'completed') throw new Error(`${suppliers[i]!.code}: ${JSON.stringify(run.error)}`)
        const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt)
        const steps = Object.entries(run.summary!.timingsMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')
        console.log(suppliers[i]!.code.padEnd(14), run.status.padEnd(10), String(run.summary!.accounts).padStart(9), String(run.summary!.lines).padStart(9), seconds(ms), String(Math.round(run.summary!.lines / (ms / 1000))).padStart(9), ` ${steps}`)
      })
    }
    await runAll('first run')
    await runAll('re-run (replaces the period’s lines)')
    console.log(`\npeak RSS: API ${peakRss(api.pid).toFixed(0)} MB, worker ${peakRss(worker.pid).toFixed(0)} MB`)

    // One account with 36 periods of charges: the customer's listing.
    const db2 = createDatabaseClient(url, { max: 2 })
    const [{ id: accountId }] = (await db2.pool.query(`SELECT id FROM account WHERE number = 'B000000003'`)).rows as [{ id: string }]
    await db2.pool.query(
      `INSERT INTO charge (id, "accountId", period, service, kind, quantity, tariff, amount, "runId", zone, coefficient, unit, basis)
       SELECT gen_random_uuid(), $1, (DATE '2023-11-01' + make_interval(months => k))::date, s.service, 'metered', 5, 40.5, 202.5, gen_random_uuid(), 'T1', 1, 'ед.', '{"rule":"reading"}'
       FROM generate_series(0, 35) k CROSS JOIN (VALUES ('cold_water'::"Service"), ('wastewater'::"Service")) s(service)
       ON CONFLICT DO NOTHING`,
      [accountId],
    )
    await db2.close()
    const times: number[] = []
    for (let i = 0; i < 50; i++) {
      const t = performance.now()
      const res = await fetch(`${base}/v1/accounts/${accountId}/charges?from=2023-11&to=2026-10`, { headers })
      await res.arrayBuffer()
      if (i >= 10) times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    console.log(`GET /v1/accounts/{id}/charges, 36 periods: median ${times[20]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (40 calls)`)
    } finally {
      // A failure must not leave the two processes behind.
      await api.stop()
      await worker.stop()
    }
  },
)
