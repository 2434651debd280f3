// npm run bench:receipts — receipts at scale, in three steps, printed, never asserted:
// 1. issue: the invoices of BENCH_ACCOUNTS accounts (default 1,000,000, across the 3 demo
//    suppliers, with 6 months of earlier charges and payments and the period's 2 lines each), the
//    3 suppliers side by side as the worker runs their jobs; invoices/s;
// 2. PDFs: BENCH_PDFS (10,000) receipt PDFs of distinct accounts fetched from the API process
//    (GET /v1/accounts/{id}/invoices/{period}, Accept: application/pdf; BENCH_PDF_CONNECTIONS
//    clients, default 8; PDF_THREADS render threads, default 2); PDFs/s, latency, the API's peak RSS;
//    then as many drawn by that many render threads alone (the work of receipt mails in workers);
// 3. print batch: BENCH_PRINT (100,000) paper receipts of one supplier drawn by a worker process
//    into one PDF in local storage; pages/s, size, and the worker's RSS sampled every second.
// A scratch database (migrated, seeded, dropped after) on the embedded PostgreSQL or DATABASE_URL.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { hashPassword } from '../src/auth/password.ts'
import { loadConfig } from '../src/config.ts'
import { createDatabaseClient } from '../src/db/client.ts'
import { createRenderPool } from '../src/rendering/render-pool.ts'
import { INVOICE_DETAIL_COLUMNS, invoiceOf, invoiceQrInput, receiptOf, type InvoiceRow } from '../src/invoices/invoice-view.ts'
import { issueInvoices } from '../src/invoices/issue-sql.ts'
import { paymentQrPayload } from '../src/invoices/payment-qr.ts'
import { startApiProcess, startWorkerProcess } from './api-process.ts'
import { seedBillingRegister } from './billing-seed.ts'
import { withDemoDatabase } from './demo-database.ts'

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000)
const PDFS = Number(process.env.BENCH_PDFS ?? 10_000)
const CONNECTIONS = Number(process.env.BENCH_PDF_CONNECTIONS ?? 8)
const PDF_THREADS = process.env.BENCH_PDF_THREADS ?? '2'
const PRINT = Math.min(Number(process.env.BENCH_PRINT ?? 100_000), Math.floor(ACCOUNTS / 3))
const PERIOD = '2026-11'
const EMAIL = 'bench@receipts.test'
const PASSWORD = 'bench receipts passphrase 1'

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', BCRYPT_COST: '4', SEED_DEMO_DATA: 'false' })
const seconds = (ms: number) => (ms / 1000).toFixed(1)
const count = (n: number) => n.toLocaleString('en')
const memory = (pid: number, field: 'VmHWM' | 'VmRSS') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

interface Supplier {
  id: string
  code: string
  timeZone: string
  paymentDueDay: number
}

await withDemoDatabase(
  config,
  async (db) => {
    const t0 = performance.now()
    const q = (sql: string, values: unknown[] = []) => db.pool.query(sql, values)
    await seedBillingRegister(q, { accounts: ACCOUNTS, historyMonths: 0, debtMonths: 6, period: PERIOD })
    // The period's lines, as a closed run would have left them: two per account.
    await q(
      `INSERT INTO charge (id, "accountId", period, service, kind, quantity, tariff, amount, unit, basis)
       SELECT gen_random_uuid(), a.id, DATE '${PERIOD}-01', s.service, 'metered', 5, 43.25, 216.25, 'ед.', '{"rule":"reading"}'
       FROM account a CROSS JOIN LATERAL unnest(a.services[1:2]) AS s(service) WHERE a.number LIKE 'B%'`,
    )
    const suppliers = (await q(`SELECT id, code, "timeZone", "paymentDueDay" FROM supplier ORDER BY code`)).rows as Supplier[]
    await q(`INSERT INTO closed_period ("supplierId", period) SELECT id, DATE '${PERIOD}-01' FROM supplier`)
    // Everyone reads receipts by mail except PRINT accounts of the first supplier: a reader with a
    // confirmed address links the others, so issuing marks them electronic.
    const hash = await hashPassword(PASSWORD, config.auth.passwordPepper, 4)
    await q(`INSERT INTO "user" (id, role, email, "emailConfirmedAt", surname, "passwordHash", "updatedAt") VALUES (gen_random_uuid(), 'admin', $1, now(), 'Бенч', $2, now())`, [EMAIL, hash])
    await q(`INSERT INTO "user" (id, role, email, "emailConfirmedAt", surname, "passwordHash", "updatedAt") VALUES (gen_random_uuid(), 'customer', 'reader@receipts.test', now(), 'Читатель', $1, now())`, [hash])
    const paper = `a."supplierId" = $1::uuid AND a.number <= 'B' || lpad(($2::int * 3)::text, 9, '0')`
    await q(`UPDATE account a SET "receiptDelivery" = 'electronic' WHERE a.number LIKE 'B%' AND NOT (${paper})`, [suppliers[0]!.id, PRINT])
    await q(
      `INSERT INTO user_account ("userId", "accountId") SELECT u.id, a.id FROM "user" u, account a
       WHERE u.email = 'reader@receipts.test' AND a.number LIKE 'B%' AND NOT (${paper})`,
      [suppliers[0]!.id, PRINT],
    )
    await q('ANALYZE')
    console.log(`node ${process.version}; seeded ${count(ACCOUNTS)} accounts (${count(PRINT)} on paper) in ${seconds(performance.now() - t0)} s`)
    return suppliers
  },
  async (url, suppliers) => {
    // 1. Issue, the three suppliers side by side (their jobs run on queues of their own).
    const db = createDatabaseClient(url, { max: suppliers.length + 1 })
    let issued = 0
    try {
      const started = performance.now()
      const results = await Promise.all(
        suppliers.map(async (s) => {
          const t = performance.now()
          const result = await db.transaction(
            (tx) =>
              issueInvoices(tx, {
                supplierId: s.id,
                period: PERIOD,
                runId: null,
                timeZone: s.timeZone,
                dueDate: `2026-12-${String(s.paymentDueDay).padStart(2, '0')}`,
                issuedAt: new Date(),
              }),
            { timeout: 3_600_000 },
          )
          return { code: s.code, ...result, ms: performance.now() - t }
        }),
      )
      const wall = performance.now() - started
      issued = results.reduce((sum, r) => sum + r.issued, 0)
      console.log(`\n1. issue: ${count(issued)} invoices in ${seconds(wall)} s wall, ${count(Math.round(issued / (wall / 1000)))} invoices/s`)
      for (const r of results) console.log(`   ${r.code.padEnd(14)} ${count(r.issued).padStart(9)} invoices (${count(r.paper)} paper) in ${seconds(r.ms)} s`)
      await db.pool.query(`UPDATE closed_period SET "invoicesIssuedAt" = now() WHERE period = DATE '${PERIOD}-01'`)
    } finally {
      await db.close()
    }

    // 2. Receipt PDFs through the API.
    const api = await startApiProcess(url, { PROCESS_ROLES: 'api', PDF_THREADS: PDF_THREADS })
    try {
      const login = await fetch(`${api.base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: EMAIL, password: PASSWORD }) })
      const { accessToken } = (await login.json()) as { accessToken: string }
      const headers = { authorization: `Bearer ${accessToken}`, accept: 'application/pdf' }
      const db2 = createDatabaseClient(url, { max: 1 })
      const ids = (await db2.pool.query(`SELECT "accountId" AS id FROM invoice WHERE period = DATE '${PERIOD}-01' ORDER BY random() LIMIT $1`, [PDFS])).rows as { id: string }[]
      await db2.close()
      const fetchPdf = async (id: string) => {
        const t = performance.now()
        const res = await fetch(`${api.base}/v1/accounts/${id}/invoices/${PERIOD}`, { headers })
        const bytes = (await res.arrayBuffer()).byteLength
        if (res.status !== 200 || bytes < 1000) throw new Error(`receipt of ${id}: ${res.status}`)
        return { ms: performance.now() - t, bytes }
      }
      for (const { id } of ids.slice(0, 20)) await fetchPdf(id) // warm the render threads
      const times: number[] = []
      let bytes = 0
      let next = 0
      const started = performance.now()
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (next < ids.length) {
            const one = await fetchPdf(ids[next++]!.id)
            times.push(one.ms)
            bytes += one.bytes
          }
        }),
      )
      const wall = performance.now() - started
      times.sort((a, b) => a - b)
      const at = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))]!.toFixed(0)
      console.log(
        `\n2. PDFs: ${count(ids.length)} receipt PDFs in ${seconds(wall)} s, ${(ids.length / (wall / 1000)).toFixed(0)} PDFs/s ` +
          `(${CONNECTIONS} clients, PDF_THREADS=${PDF_THREADS}); latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms; ${(bytes / ids.length / 1024).toFixed(1)} KiB each; API peak RSS ${memory(api.pid, 'VmHWM').toFixed(0)} MB`,
      )
    } finally {
      await api.stop()
    }

    // 2b. The same receipts drawn by render threads alone (what worker processes spend on the
    // PDFs of receipt mails), without HTTP, sessions or the API's queries.
    {
      const db4 = createDatabaseClient(url, { max: 1 })
      const rows = (
        await db4.pool.query(
          `SELECT ${INVOICE_DETAIL_COLUMNS} FROM invoice i JOIN invoice_requisites q ON q.id = i."requisitesId"
           WHERE i.period = DATE '${PERIOD}-01' ORDER BY random() LIMIT $1`,
          [PDFS],
        )
      ).rows as InvoiceRow[]
      await db4.close()
      const receipts = rows.map((row) => receiptOf(invoiceOf(row, paymentQrPayload(invoiceQrInput(row))), row.issuedAt.slice(0, 10)))
      const threads = Number(PDF_THREADS)
      const pool = createRenderPool(threads)
      await Promise.all(receipts.slice(0, 20).map((receipt) => pool.run({ kind: 'receipt', receipt })))
      const started = performance.now()
      let next = 0
      await Promise.all(
        Array.from({ length: threads * 2 }, async () => {
          while (next < receipts.length) await pool.run({ kind: 'receipt', receipt: receipts[next++]! })
        }),
      )
      const wall = performance.now() - started
      await pool.close()
      console.log(`   render threads alone: ${count(receipts.length)} receipt PDFs in ${seconds(wall)} s, ${(receipts.length / (wall / 1000)).toFixed(0)} PDFs/s on ${threads} threads`)
    }

    // 3. The print batch of the first supplier, made by a worker process.
    const storage = await mkdtemp(path.join(tmpdir(), 'abonent-bench-print-'))
    const db3 = createDatabaseClient(url, { max: 1 })
    const supplier = suppliers[0]!
    const worker = startWorkerProcess(url, { STORAGE_DRIVER: 'local', STORAGE_DIR: storage, PDF_THREADS: '1' })
    try {
      const [{ n: paper }] = (await db3.pool.query(`SELECT count(*)::int AS n FROM invoice WHERE "supplierId" = $1 AND period = DATE '${PERIOD}-01' AND delivery = 'paper'`, [supplier.id])).rows as [{ n: number }]
      // The worker at rest first: what it holds before drawing anything.
      await new Promise((resolve) => setTimeout(resolve, 3000))
      const idle = memory(worker.pid, 'VmRSS')
      await db3.pool.query(`INSERT INTO print_batch ("supplierId", period, status, invoices, "createdAt") VALUES ($1, DATE '${PERIOD}-01', 'pending', $2, now())`, [supplier.id, paper])
      const started = performance.now()
      await db3.pool.query(`SELECT graphile_worker.add_job('invoices:print', json_build_object('supplierId', $1::text, 'period', $2::text), job_key := 'bench-print')`, [supplier.id, PERIOD])
      const samples: { s: number; rss: number }[] = []
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        samples.push({ s: (performance.now() - started) / 1000, rss: memory(worker.pid, 'VmRSS') })
        const [batch] = (await db3.pool.query(`SELECT status::text, pages, bytes::text FROM print_batch WHERE "supplierId" = $1 AND period = DATE '${PERIOD}-01'`, [supplier.id])).rows as [
          { status: string; pages: number | null; bytes: string | null },
        ]
        const [failed] = (await db3.pool.query(`SELECT last_error FROM graphile_worker.jobs WHERE key = 'bench-print' AND last_error IS NOT NULL`)).rows as [{ last_error: string }?]
        if (failed) throw new Error(`print job failed: ${failed.last_error}`)
        if (batch.status !== 'ready') continue
        const wall = performance.now() - started
        const file = await stat(path.join(storage, 'print-batches', supplier.id, `${PERIOD}.pdf`))
        const quarter = (q: number) => samples[Math.min(samples.length - 1, Math.floor((samples.length - 1) * q))]!.rss.toFixed(0)
        console.log(
          `\n3. print batch: ${count(paper)} receipts, ${count(batch.pages!)} pages, ${(Number(batch.bytes) / 2 ** 20).toFixed(0)} MiB (on disk ${(file.size / 2 ** 20).toFixed(0)} MiB) ` +
            `in ${seconds(wall)} s, ${(batch.pages! / (wall / 1000)).toFixed(0)} pages/s`,
        )
        console.log(
          `   worker RSS idle ${idle.toFixed(0)} MB; at 25/50/75/100 % of the time: ${quarter(0.25)} / ${quarter(0.5)} / ${quarter(0.75)} / ${quarter(1)} MB; peak ${memory(worker.pid, 'VmHWM').toFixed(0)} MB`,
        )
        break
      }
    } finally {
      await worker.stop()
      await db3.close()
      await rm(storage, { recursive: true, force: true })
    }
  },
)
