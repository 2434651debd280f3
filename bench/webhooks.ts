// npm run bench:webhooks — BENCH_EVENTS (20,000) events of one supplier, each to 5 local endpoints,
// one of which fails half of its attempts (503), delivered by a worker process as production runs
// them. Events are emitted as the domains emit them (emitEvents, a statement per batch) at
// BENCH_RATE events/s (default 150: 600 deliveries/s offered to the healthy endpoints; 0 = all at once, to measure the
// most the worker can send). Prints deliveries/s, the lag from an event to its arrival (p50/p99)
// at the healthy endpoints, the outbox depth over time, and what the failing endpoint got.
// Targets: >= 500 deliveries/s on 2 cores; lag p99 < 2 s at the healthy endpoints while the
// failing one retries. BENCH_WORKER_CONCURRENCY sets the worker's job slots (default: as deployed).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSecretBox } from '../src/common/secret-box.ts'
import { loadConfig } from '../src/config.ts'
import { createDatabaseClient } from '../src/db/client.ts'
import { standalone } from '../src/db/transaction.ts'
import { Prisma } from '../src/generated/prisma/client.ts'
import { emitEvents } from '../src/webhooks/events.ts'
import { newWebhookSecret, secretContext } from '../src/webhooks/signing.ts'
import { startWorkerProcess } from './api-process.ts'
import { withDemoDatabase } from './demo-database.ts'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)
const RATE = Number(process.env.BENCH_RATE ?? 150)
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 900)
const ENDPOINTS = 5
const TICK_MS = 50

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_DEMO_DATA: 'false' })
const box = createSecretBox(config.dataEncryptionKey)

interface Receiver {
  name: string
  url: string
  server: Server
  failing: boolean
  lags: number[]
  seen: Set<string>
  duplicates: number
  refused: number
  lastAt: number
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function startReceiver(name: string, failing: boolean): Promise<Receiver> {
  const receiver: Receiver = { name, url: '', server: null as unknown as Server, failing, lags: [], seen: new Set(), duplicates: 0, refused: 0, lastAt: 0 }
  receiver.server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (failing && Math.random() < 0.5) {
        receiver.refused++
        response.writeHead(503).end('busy')
        return
      }
      const now = Date.now()
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { id: string; timestamp: string }
      if (receiver.seen.has(body.id)) receiver.duplicates++
      else {
        receiver.seen.add(body.id)
        receiver.lags.push(now - Date.parse(body.timestamp))
      }
      receiver.lastAt = now
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks/${name}`
  return receiver
}

const receivers: Receiver[] = []
for (let i = 0; i < ENDPOINTS; i++) receivers.push(await startReceiver(i === ENDPOINTS - 1 ? 'failing' : `healthy-${i + 1}`, i === ENDPOINTS - 1))
const healthy = receivers.filter((r) => !r.failing)
const failing = receivers.find((r) => r.failing)!

await withDemoDatabase(
  config,
  async (db) => {
    const supplier = await db.prisma.supplier.findUniqueOrThrow({ where: { code: 'gorvodokanal' } })
    for (const receiver of receivers) {
      const id = crypto.randomUUID()
      await db.pool.query(`INSERT INTO webhook_endpoint (id, "supplierId", url, description, "secretSealed") VALUES ($1::uuid, $2::uuid, $3, $4, $5)`, [
        id,
        supplier.id,
        receiver.url,
        receiver.name,
        box.seal(newWebhookSecret(), secretContext(id)),
      ])
    }
    return { supplierId: supplier.id }
  },
  async (url, { supplierId }) => {
    const workerEnv: Record<string, string> = { WEBHOOK_ALLOW_PRIVATE: 'true', ...(process.env.BENCH_WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY } : {}) }
    const worker = startWorkerProcess(url, workerEnv)
    const db = createDatabaseClient(url, { max: 2 })
    const tx = standalone(db.prisma, db.pool)
    const depth: string[] = []
    try {
      for (;;) {
        const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM worker_process WHERE cardinality("workerIds") > 0`)
        if (rows[0]!.n > 0) break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      const started = Date.now()
      const sampler = setInterval(() => {
        db.pool
          .query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_delivery WHERE status IN ('pending', 'sending')`)
          .then(({ rows }) => depth.push(`${((Date.now() - started) / 1000).toFixed(0)}s:${rows[0]!.n}`))
          .catch(() => {})
      }, 5000)
      // Emission on schedule (open loop): a batch per tick, as many events as the rate asks for by then.
      let emitted = 0
      while (emitted < EVENTS) {
        const due = RATE > 0 ? Math.min(EVENTS, Math.floor(((Date.now() - started) / 1000) * RATE) + 1) : EVENTS
        const batch = Math.min(due - emitted, 1000)
        if (batch > 0) {
          await emitEvents(
            tx,
            'payment.succeeded',
            new Date(),
            Prisma.sql`SELECT ${supplierId}::uuid AS "supplierId", jsonb_build_object('paymentId', gen_random_uuid(), 'amount', (g % 5000)::text || '.00') AS data
                       FROM generate_series(${emitted + 1}::int, ${emitted + batch}::int) g`,
          )
          emitted += batch
        }
        if (RATE > 0) await new Promise((resolve) => setTimeout(resolve, TICK_MS))
      }
      const emittedAt = Date.now()
      while (healthy.some((r) => r.seen.size < EVENTS) && Date.now() - started < TIMEOUT_S * 1000) await new Promise((resolve) => setTimeout(resolve, 200))
      clearInterval(sampler)
      const finished = Math.max(...healthy.map((r) => r.lastAt))
      const seconds = (finished - started) / 1000
      const delivered = receivers.reduce((sum, r) => sum + r.seen.size + r.duplicates, 0)
      const lags = healthy.flatMap((r) => r.lags).sort((a, b) => a - b)
      console.log(`bench:webhooks — ${EVENTS} events × ${ENDPOINTS} endpoints (one failing half its attempts), rate ${RATE || 'all at once'}/s, worker concurrency ${process.env.BENCH_WORKER_CONCURRENCY ?? config.jobs.concurrency}`)
      console.log(`  emitted in ${((emittedAt - started) / 1000).toFixed(1)} s; healthy endpoints complete after ${seconds.toFixed(1)} s`)
      console.log(`  deliveries: ${delivered} in ${seconds.toFixed(1)} s = ${(delivered / seconds).toFixed(0)}/s (healthy alone: ${(healthy.reduce((s, r) => s + r.seen.size, 0) / seconds).toFixed(0)}/s)`)
      console.log(`  lag at healthy endpoints: p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${lags.at(-1)} ms`)
      for (const r of healthy) {
        const sorted = [...r.lags].sort((a, b) => a - b)
        console.log(`    ${r.name}: ${r.seen.size}/${EVENTS}, p99 ${percentile(sorted, 99)} ms, duplicates ${r.duplicates}`)
      }
      console.log(`  failing endpoint: ${failing.seen.size}/${EVENTS} delivered, ${failing.refused} answered 503 (its later events wait behind each retry)`)
      console.log(`  outbox depth (pending deliveries): ${depth.join(' ')}`)
    } finally {
      await worker.stop()
      await db.close()
      for (const r of receivers) {
        r.server.closeAllConnections()
        r.server.close()
      }
    }
  },
)
