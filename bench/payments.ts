// npm run bench:payments — providers' notifications for BENCH_PAYMENTS (20,000) distinct pending
// payments, each delivered twice, at BENCH_RATE (200) requests/s, with BENCH_LOOKUPS (1,000) bank
// lookups spread among them, to the API in its own process (PROCESS_ROLES=api) with a worker
// process applying the notifications, as production runs them. Open loop: requests leave on
// schedule whether or not earlier ones were answered, so a slow answer shows in the latency
// instead of slowing the load. Prints p50/p99 per kind (target: p99 < 50 ms), then waits for the
// worker and checks that exactly BENCH_PAYMENTS payments settled, none twice, and that every
// account's ledger balances (opening − the payment).
// BENCH_TRACE=1 prints every request slower than 100 ms with its time in the run (to see bursts);
// BENCH_WORKER_AFTER=1 starts the worker only once every request is answered (the API alone).
import { loadConfig } from '../src/config.ts'
import { apiKeyHash, newApiKey } from '../src/access/api-keys.ts'
import { sandboxObjectId, signSandboxNotification } from '../src/payments/providers/sandbox.ts'
import { startApiProcess, startWorkerProcess } from './api-process.ts'
import { withDemoDatabase } from './demo-database.ts'

const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 20_000)
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 1_000)
const RATE = Number(process.env.BENCH_RATE ?? 200)
/** Payments notified first, at the same rate, and left out of the figures: the processes' warm-up (JIT, pools). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000)

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_DEMO_DATA: 'false' })
const secret = config.payments.sandbox.secret
const { key } = newApiKey()

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

await withDemoDatabase(
  config,
  async (db) => {
    const supplier = await db.prisma.supplier.findUniqueOrThrow({ where: { code: 'gorvodokanal' } })
    // Accounts with a debt, each with one pending sandbox payment of part of it, set-based.
    await db.pool.query(
      `WITH n AS (SELECT generate_series(1, $1::int) AS i),
       accounts AS (
         INSERT INTO account (id, "supplierId", number, "holderSurname", "holderGivenNames", address, services, "openingBalance", "updatedAt")
         SELECT gen_random_uuid(), $2::uuid, '77-' || lpad(i::text, 7, '0'), 'Платёжкина', 'Анна Сергеевна', 'г. Новосибирск, ул. Нагрузочная, д. ' || i,
                '{cold_water}', 1000 + i % 500, now() FROM n
         RETURNING id, "openingBalance")
       INSERT INTO payment (id, "accountId", amount, status, provider, "externalId", "paidAt", "expiresAt", "updatedAt")
       SELECT s.id, s."accountId", round(s.opening / 3, 2), 'pending', 'sandbox', 'sbx_' || replace(s.id::text, '-', ''), now(), now() + interval '1 day', now()
       FROM (SELECT gen_random_uuid() AS id, a.id AS "accountId", a."openingBalance" AS opening FROM accounts a) s`,
      [PAYMENTS + WARMUP, supplier.id],
    )
    await db.pool.query(
      `INSERT INTO api_key (id, "supplierId", name, client, scopes, "keyHash", prefix) VALUES (gen_random_uuid(), $1::uuid, 'bench', 'sberbank', '{accounts:lookup,payments:write}', $2, $3)`,
      [supplier.id, apiKeyHash(key), key.slice(0, 12)],
    )
    const payments = (
      await db.pool.query<{ id: string; amount: string; number: string }>(
        `SELECT p.id, p.amount::text AS amount, a.number FROM payment p JOIN account a ON a.id = p."accountId" WHERE p.provider = 'sandbox' ORDER BY random()`,
      )
    ).rows
    return { payments, supplierId: supplier.id }
  },
  async (url, { payments, supplierId }) => {
    const api = await startApiProcess(url, { PROCESS_ROLES: 'api' })
    const workerAfter = process.env.BENCH_WORKER_AFTER === '1'
    // BENCH_WORKER_CONCURRENCY: jobs the worker runs at once (default: as deployed).
    const workerEnv: Record<string, string> = process.env.BENCH_WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY } : {}
    let worker = workerAfter ? null : startWorkerProcess(url, workerEnv)
    const { createDatabaseClient } = await import('../src/db/client.ts')
    const db = createDatabaseClient(url, { max: 1 })
    try {
      // The worker compiles and starts for some seconds: load sent meanwhile would measure that.
      for (; worker; ) {
        const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM worker_process WHERE cardinality("workerIds") > 0`)
        if (rows[0]!.n > 0) break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      // Each payment twice, the repeat a while later (as a provider retries); lookups spread evenly.
      type Shot = { kind: 'notification' | 'lookup' | 'warm-up' | 'warm-up lookup'; index: number }
      const measured: Shot[] = []
      for (let i = WARMUP; i < payments.length; i++) measured.push({ kind: 'notification', index: i })
      for (let i = 0; i < PAYMENTS; i++) measured.push({ kind: 'notification', index: WARMUP + ((i + 97) % PAYMENTS) })
      const every = Math.max(1, Math.floor(measured.length / Math.max(1, LOOKUPS)))
      for (let i = 0; i < LOOKUPS; i++) measured.splice(Math.min(measured.length, i * (every + 1)), 0, { kind: 'lookup', index: WARMUP + (i % PAYMENTS) })
      // Both kinds of request: the first of a kind pays for its code's first compilation.
      const warmUp: Shot[] = Array.from({ length: WARMUP }, (_, i) => ({ kind: 'warm-up', index: i }))
      const warmUpLookups: Shot[] = Array.from({ length: Math.ceil(WARMUP / 10) }, (_, i) => ({ kind: 'warm-up lookup', index: i }))
      const shots = [...warmUp.flatMap((shot, i) => (i % 10 === 0 ? [warmUpLookups[i / 10]!, shot] : [shot])), ...measured]

      const latencies = { 'warm-up': [] as number[], 'warm-up lookup': [] as number[], notification: [] as number[], lookup: [] as number[] }
      const failures: string[] = []
      const fire = async (shot: Shot) => {
        const payment = payments[shot.index]!
        const started = performance.now()
        let response: Response
        if (shot.kind === 'lookup' || shot.kind === 'warm-up lookup') {
          response = await fetch(`${api.base}/v1/aggregator/accounts/lookup?supplierId=${supplierId}&accountNumber=${payment.number}`, { headers: { 'x-api-key': key } })
        } else {
          const { headers, payload } = signSandboxNotification(
            secret,
            { type: 'payment.succeeded', paymentId: payment.id, objectId: sandboxObjectId(payment.id), amount: payment.amount, occurredAt: new Date().toISOString() },
            new Date(),
          )
          response = await fetch(`${api.base}/v1/webhooks/payments/sandbox`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: payload })
        }
        await response.arrayBuffer()
        latencies[shot.kind].push(performance.now() - started)
        if (process.env.BENCH_TRACE && performance.now() - started > 100) console.log(`slow ${shot.kind} at ${((started - start) / 1000).toFixed(2)} s: ${(performance.now() - started).toFixed(0)} ms`)
        if (response.status !== 200) failures.push(`${shot.kind} ${response.status}`)
      }

      console.log(`${PAYMENTS} payments (+${WARMUP} to warm up), ${shots.length} requests at ${RATE}/s (~${Math.round(shots.length / RATE)} s)`)
      const start = performance.now()
      const inFlight: Promise<void>[] = []
      for (let i = 0; i < shots.length; i++) {
        const due = start + (i * 1000) / RATE
        const wait = due - performance.now()
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
        inFlight.push(fire(shots[i]!).catch((error: Error) => void failures.push(error.message)))
      }
      await Promise.all(inFlight)
      const sent = (performance.now() - start) / 1000

      console.log('kind'.padEnd(14), 'requests'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'max ms'.padStart(8))
      for (const [kind, values] of Object.entries(latencies)) {
        const sorted = [...values].sort((a, b) => a - b)
        console.log(kind.padEnd(14), String(sorted.length).padStart(9), percentile(sorted, 50).toFixed(1).padStart(8), percentile(sorted, 99).toFixed(1).padStart(8), (sorted.at(-1) ?? NaN).toFixed(1).padStart(8))
      }
      console.log(`sent in ${sent.toFixed(1)} s (${(shots.length / sent).toFixed(0)} req/s); failures: ${failures.length}${failures.length ? ` (${[...new Set(failures)].slice(0, 5).join(', ')})` : ''}`)

      // The worker applies what was stored; wait for it, then check the money.
      worker ??= startWorkerProcess(url, workerEnv)
      {
        const drainStart = performance.now()
        for (;;) {
          const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_notification WHERE status = 'received'`)
          if (rows[0]!.n === 0) break
          await new Promise((resolve) => setTimeout(resolve, 500))
        }
        console.log(`worker done ${((performance.now() - drainStart) / 1000).toFixed(1)} s after the last request`)
        const { rows } = await db.pool.query<{ payments: number; settled: number; notifications: number; events: number; unbalanced: number }>(
          `SELECT (SELECT count(*)::int FROM payment WHERE provider = 'sandbox') AS payments,
                  (SELECT count(*)::int FROM payment WHERE provider = 'sandbox' AND status = 'succeeded') AS settled,
                  (SELECT count(*)::int FROM payment_notification) AS notifications,
                  (SELECT count(*)::int FROM payment_event WHERE "toStatus" = 'succeeded') AS events,
                  (SELECT count(*)::int FROM account a
                     JOIN payment p ON p."accountId" = a.id AND p.provider = 'sandbox'
                     WHERE a."openingBalance" - (SELECT COALESCE(sum(lp.amount), 0) FROM ledger_payment lp WHERE lp."accountId" = a.id)
                           <> a."openingBalance" - p.amount) AS unbalanced`,
        )
        const r = rows[0]!
        console.log(`payments ${r.payments}, settled ${r.settled}, notifications stored ${r.notifications}, succeeded events ${r.events}, unbalanced accounts ${r.unbalanced}`)
        const ok = r.payments === payments.length && r.settled === payments.length && r.notifications === payments.length && r.events === payments.length && r.unbalanced === 0
        console.log(ok ? 'CHECK PASSED: every payment settled exactly once; every ledger balances' : 'CHECK FAILED')
        if (!ok) process.exitCode = 1
      }
    } finally {
      await db.close()
      await worker?.stop()
      await api.stop()
    }
  },
)
