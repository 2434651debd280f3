// npm run bench:billing — billing runs over a large register: BENCH_ACCOUNTS accounts (default
// 1,000,000) across 3 suppliers with 2 services each, readings for ~85 % of the meters over
// BENCH_HISTORY_MONTHS months (default 12) plus the period's, ~3 % of the meters past their
// verification, a tariff change on the 16th. The API and a worker run in processes of their own;
// the bench starts one run per supplier (the worker takes them one after another), then a re-run,
// and prints the time of each step, lines/s, and the peak RSS of the API and the worker; then the
// time of GET /v1/accounts/{id}/charges for an account with 36 periods of charges.
// A scratch database (migrated, seeded, dropped after) on the embedded PostgreSQL or DATABASE_URL.
import { readFileSync } from 'node:fs'
import { hashPassword } from '../src/auth/password.ts'
import { loadConfig } from '../src/config.ts'
import { createDatabaseClient } from '../src/db/client.ts'
import { openMigrator } from '../src/db/migrator.ts'
import { resolveDatabase } from '../src/db/prepare.ts'
import { withScratchDatabase } from '../src/db/scratch.ts'
import { seedDemoData } from '../src/db/seed.ts'
import { startApiProcess, startWorkerProcess } from './api-process.ts'

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000)
const HISTORY = Number(process.env.BENCH_HISTORY_MONTHS ?? 12)
const PERIOD = '2026-11'
const PASSWORD = 'bench billing passphrase 1'

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', BCRYPT_COST: '4', SEED_DEMO_DATA: 'false' })
const server = await resolveDatabase(config, () => {})
const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(7)
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

try {
  await withScratchDatabase(server.url, async (url) => {
    const migrator = await openMigrator(url)
    await migrator.deploy().finally(() => migrator.close())
    const db = createDatabaseClient(url, { max: 2 })
    await seedDemoData(db.prisma)
    const t0 = performance.now()
    const q = (sql: string, values: unknown[] = []) => db.pool.query(sql, values)
    await q(`UPDATE supplier SET services = '{electricity,gas}' WHERE code = 'energosbyt'`)
    const suppliers = (await q(`SELECT id, code, services::text[] AS services FROM supplier ORDER BY code`)).rows as { id: string; code: string; services: string[] }[]
    // Accounts, set-based: the i-th goes to supplier i mod 3.
    await q(
      `INSERT INTO account (id, "supplierId", number, "holderSurname", address, "residentsCount", "areaM2", services, "updatedAt")
       SELECT gen_random_uuid(), s.id, 'B' || lpad(i::text, 9, '0'), 'Счётов', 'ул. Нагрузочная, ' || i, 1 + i % 4, 30 + i % 60, s.services, now()
       FROM generate_series(1, $1::int) i JOIN (SELECT id, services, row_number() OVER (ORDER BY code) - 1 AS k FROM supplier) s ON s.k = i % 3`,
      [ACCOUNTS],
    )
    await q(
      `INSERT INTO meter (id, "accountId", service, "serialNumber", "digitCapacity", "verificationDueAt", "updatedAt")
       SELECT gen_random_uuid(), a.id, s.service, 'M-' || a.number || '-' || s.service, 6,
              CASE WHEN abs(hashtext(a.number)) % 100 < 3 THEN DATE '2026-07-10' ELSE DATE '2031-01-01' END, now()
       FROM account a CROSS JOIN LATERAL unnest(a.services) AS s(service)
       WHERE a.number LIKE 'B%' AND s.service IN ('cold_water', 'hot_water', 'electricity', 'gas')`,
    )
    const months = Array.from({ length: HISTORY + 1 }, (_, k) => HISTORY - k) // HISTORY months back .. 0 (the period)
    await q(
      `INSERT INTO reading (id, "meterId", "accountId", period, t1, "t1Consumption", "takenAt", source, status)
       SELECT gen_random_uuid(), m.id, m."accountId", p.period, 100 + (${HISTORY} - p.back + 1) * 5, CASE WHEN p.back = ${HISTORY} THEN NULL ELSE 5 END,
              p.period + interval '19 days', 'customer', 'accepted'
       FROM meter m CROSS JOIN LATERAL (SELECT back, (DATE '${PERIOD}-01' - make_interval(months => back))::date AS period FROM unnest($1::int[]) AS back) p
       WHERE m."serialNumber" LIKE 'M-B%' AND abs(hashtext(m.id::text)) % 100 < 85
         AND m."verificationDueAt" > p.period`,
      [months],
    )
    for (const s of suppliers) {
      for (const service of s.services) {
        // Zones T2 and T3 too for electricity: the demo register has a three-zone meter.
        for (const zone of service === 'electricity' ? ['T1', 'T2', 'T3'] : ['T1']) {
          await q(
            `INSERT INTO tariff (id, "supplierId", service, zone, basis, price, unit, "effectiveFrom", "effectiveTo", "updatedAt") VALUES
               (gen_random_uuid(), $1, $2::"Service", $3, 'metered', 40.5, 'ед.', '2025-01-01', '${PERIOD}-15', now()),
               (gen_random_uuid(), $1, $2::"Service", $3, 'metered', 43.25, 'ед.', '${PERIOD}-16', NULL, now())`,
            [s.id, service, zone],
          )
        }
        await q(
          `INSERT INTO normative (id, "supplierId", service, basis, quantity, unit, "effectiveFrom", "updatedAt")
           VALUES (gen_random_uuid(), $1, $2::"Service", $3::"NormativeBasis", $4, 'ед.', '2025-01-01', now())`,
          [s.id, service, service === 'heat' ? 'per_area' : 'per_resident', service === 'heat' ? '0.0213' : '4.5'],
        )
      }
    }
    await q('ANALYZE')
    const [{ n: readings }] = (await q(`SELECT count(*)::int AS n FROM reading`)).rows as [{ n: number }]
    console.log(`node ${process.version}; seeded ${ACCOUNTS.toLocaleString('en')} accounts, ${readings.toLocaleString('en')} readings in ${seconds(performance.now() - t0)} s`)

    const hash = await hashPassword(PASSWORD, config.auth.passwordPepper, 4)
    await q(`INSERT INTO "user" (id, role, email, "emailConfirmedAt", surname, "passwordHash", "updatedAt") VALUES (gen_random_uuid(), 'admin', 'bench@billing.test', now(), 'Бенч', $1, now())`, [hash])
    await db.close()

    const api = await startApiProcess(url, { PROCESS_ROLES: 'api' })
    const worker = startWorkerProcess(url, { WORKER_CONCURRENCY: '1' })
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
  })
} finally {
  await server.stop()
}
