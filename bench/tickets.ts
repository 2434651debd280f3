// npm run bench:tickets — support under load, the API in its own process: BENCH_UPLOADS (200)
// attachments of BENCH_UPLOAD_MB (5) MB each over BENCH_CONNECTIONS (10) connections, printing
// MB/s and how far the API's resident memory rose above its level before (target: under 50 MB,
// the files are streamed, never held whole); then the queue of a supplier with BENCH_TICKETS
// (100,000) tickets, BENCH_QUERIES (400) filtered pages per filter over 5 connections, printing
// p50/p99 (target: p99 < 50 ms); then the operators' account search over BENCH_ACCOUNTS
// (1,000,000) accounts of that supplier by number, surname and address (target: p99 < 50 ms).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { hashPassword } from '../src/auth/password.ts'
import { loadConfig } from '../src/config.ts'
import { startApiProcess } from './api-process.ts'
import { withDemoDatabase } from './demo-database.ts'

const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 200)
const UPLOAD_MB = Number(process.env.BENCH_UPLOAD_MB ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000)
const QUERIES = Number(process.env.BENCH_QUERIES ?? 400)
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000)
const PASSWORD = 'bench passphrase for support 1'

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_DEMO_DATA: 'false' })

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++
        results[i] = await task(i)
      }
    }),
  )
  return results
}

const storageDir = await mkdtemp(path.join(tmpdir(), 'abonent-bench-store-'))

await withDemoDatabase(
  config,
  async (db) => {
    const supplier = await db.prisma.supplier.findUniqueOrThrow({ where: { code: 'sibteplo' } })
    const hash = await hashPassword(PASSWORD, config.auth.passwordPepper, 4)
    await db.pool.query(
      `INSERT INTO "user" (id, role, email, "emailConfirmedAt", surname, "passwordHash", "supplierId", "updatedAt") VALUES
       (gen_random_uuid(), 'customer', 'writer@bench.test', now(), 'Писарев', $1, NULL, now()),
       (gen_random_uuid(), 'operator', 'operator@bench.test', now(), 'Диспетчерова', $1, $2::uuid, now())`,
      [hash, supplier.id],
    )
    // Categories, then the tickets set-based: a mix of statuses, ages, assignees and deadlines, some overdue.
    await db.pool.query(
      `INSERT INTO ticket_category (id, "supplierId", code, name, "firstResponseMinutes", "resolutionMinutes", emergency)
       SELECT gen_random_uuid(), $1::uuid, c, c, 480, 4320, c = 'emergency' FROM unnest('{billing,readings,quality,emergency}'::text[]) c`,
      [supplier.id],
    )
    await db.pool.query(
      `WITH people AS (SELECT (SELECT id FROM "user" WHERE email = 'writer@bench.test') AS author, (SELECT id FROM "user" WHERE email = 'operator@bench.test') AS op),
       cats AS (SELECT array_agg(id ORDER BY code) AS ids FROM ticket_category WHERE "supplierId" = $1::uuid)
       INSERT INTO ticket (id, number, "supplierId", "categoryId", "authorId", "assigneeId", subject, status, "firstResponseDueAt", "resolutionDueAt",
                           "firstRespondedAt", "resolvedAt", "closedAt", "lastMessageAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), g, $1::uuid, cats.ids[1 + g % 4], people.author, CASE WHEN g % 3 = 0 THEN NULL ELSE people.op END,
         'Обращение ' || g, s.status::"TicketStatus", o.opened + interval '8 hours', o.opened + interval '3 days',
         CASE WHEN s.status <> 'new' THEN o.opened + interval '2 hours' END,
         CASE WHEN s.status IN ('resolved', 'closed') THEN o.opened + interval '1 day' END,
         CASE WHEN s.status = 'closed' THEN o.opened + interval '2 days' END,
         o.opened, o.opened, o.opened
       FROM generate_series(1, $2::int) g, people, cats,
         LATERAL (SELECT (ARRAY['new','in_progress','waiting_customer','resolved','closed','closed','resolved','in_progress'])[1 + g % 8] AS status) s,
         LATERAL (SELECT now() - (g % 2000) * interval '1 hour' AS opened) o`,
      [supplier.id, TICKETS],
    )
    await db.pool.query(`INSERT INTO ticket_counter ("supplierId", last) VALUES ($1::uuid, $2)`, [supplier.id, TICKETS])
    // The register: surnames and streets from short lists, as a city's are; the search indexes built after the rows.
    const started = performance.now()
    await db.pool.query(`DROP INDEX account_number_trgm, account_holder_trgm, account_address_trgm, account_search_words`)
    await db.pool.query(
      `INSERT INTO account (id, "supplierId", number, "holderSurname", "holderGivenNames", address, services, "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, (7700000000 + g)::text,
         (ARRAY['Иванов','Смирнова','Кузнецов','Попова','Васильев','Петрова','Соколов','Михайлова','Новиков','Фёдорова','Морозов','Волкова','Алексеев','Лебедева','Семёнов','Егорова','Павлов','Козлова','Степанов','Николаева'])[1 + g % 20] || CASE WHEN g % 7 = 0 THEN 'а' ELSE '' END,
         'Анна Сергеевна',
         'г. Новосибирск, ул. ' || (ARRAY['Ленина','Кирова','Гоголя','Станиславского','Титова','Бориса Богаткова','Дуси Ковальчук','Фрунзе','Красный проспект','Немировича-Данченко','Связистов','Пархоменко'])[1 + (g / 7) % 12]
           || ', д. ' || (1 + (g / 91) % 150) || ', кв. ' || (1 + g % 200),
         '{heat}', now()
       FROM generate_series(1, $2::int) g`,
      [supplier.id, ACCOUNTS],
    )
    await db.pool.query(`SET maintenance_work_mem = '512MB'`)
    await db.pool.query(`CREATE INDEX account_number_trgm ON account USING GIN (number gin_trgm_ops)`)
    await db.pool.query(`CREATE INDEX account_holder_trgm ON account USING GIN ("holderSurname" gin_trgm_ops)`)
    await db.pool.query(`CREATE INDEX account_address_trgm ON account USING GIN (address gin_trgm_ops)`)
    await db.pool.query(`CREATE INDEX account_search_words ON account USING GIN ("searchWords")`)
    await db.pool.query(`ANALYZE account`)
    console.log(`(prepared ${ACCOUNTS} accounts with their search indexes in ${((performance.now() - started) / 1000).toFixed(0)} s)`)
    await db.pool.query(`ANALYZE ticket`)
    return { supplierId: supplier.id }
  },
  async (url) => {
    const api = await startApiProcess(url, { PROCESS_ROLES: 'api', STORAGE_DRIVER: 'local', STORAGE_DIR: storageDir })
    try {
      const login = async (email: string) => {
        const res = await fetch(`${api.base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: email, password: PASSWORD }) })
        if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`)
        return ((await res.json()) as { accessToken: string }).accessToken
      }
      const writer = await login('writer@bench.test')
      const operator = await login('operator@bench.test')

      // The same 5 MB PDF-typed file for every upload, built once by the client.
      const file = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(UPLOAD_MB * 1024 * 1024 - 9, 0x20)])
      const boundary = '----abonentbench'
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="скан.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ])
      const upload = async () => {
        const res = await fetch(`${api.base}/v1/ticket-attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${writer}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
        })
        if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`)
        await res.arrayBuffer()
      }
      await pool(5, 5, upload) // warm-up
      await new Promise((resolve) => setTimeout(resolve, 1000))
      const before = await rssMb(api.pid)
      let peak = before
      const sampler = setInterval(() => {
        rssMb(api.pid).then((mb) => (peak = Math.max(peak, mb)), () => {})
      }, 50)
      const started = performance.now()
      await pool(UPLOADS, CONNECTIONS, upload)
      const seconds = (performance.now() - started) / 1000
      clearInterval(sampler)
      console.log(`bench:tickets — uploads: ${UPLOADS} × ${UPLOAD_MB} MB over ${CONNECTIONS} connections in ${seconds.toFixed(1)} s = ${((UPLOADS * UPLOAD_MB) / seconds).toFixed(1)} MB/s`)
      console.log(`  API resident memory: ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at peak: +${(peak - before).toFixed(0)} MB (target < 50)`)

      const filters: [string, string][] = [
        ['open, overdue first', 'open=true&limit=20'],
        ['overdue only', 'overdue=true&limit=20'],
        ['unassigned in progress', 'status=in_progress&assigneeId=none&limit=20'],
        ['waiting, older than 2 days', 'status=waiting_customer&olderThanHours=48&limit=20'],
      ]
      for (const [name, query] of filters) {
        const get = async () => {
          const t0 = performance.now()
          const res = await fetch(`${api.base}/v1/admin/tickets?${query}`, { headers: { authorization: `Bearer ${operator}` } })
          if (res.status !== 200) throw new Error(`${query}: ${res.status} ${await res.text()}`)
          await res.arrayBuffer()
          return performance.now() - t0
        }
        await pool(50, 5, get)
        const times = (await pool(QUERIES, 5, get)).sort((a, b) => a - b)
        console.log(`  queue of ${TICKETS} tickets, ${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`)
      }
      const searches: [string, (i: number) => string][] = [
        ['account number, its beginning', (i) => String(7700000000 + ((i * 7919) % ACCOUNTS) + 1).slice(0, 8)],
        ['account number, whole', (i) => String(7700000000 + ((i * 7919) % ACCOUNTS) + 1)],
        ['a common surname', () => 'Семёнов'],
        ['a rare surname part', () => 'Фёдоров'],
        ['street and house', (i) => `Кирова, д. ${1 + (i % 150)}`],
        ['surname and street', () => 'Семёнов Гоголя'],
      ]
      for (const [name, q] of searches) {
        const get = async (i: number) => {
          const t0 = performance.now()
          const res = await fetch(`${api.base}/v1/admin/accounts?q=${encodeURIComponent(q(i))}&limit=20`, { headers: { authorization: `Bearer ${operator}` } })
          if (res.status !== 200) throw new Error(`${q(i)}: ${res.status} ${await res.text()}`)
          await res.arrayBuffer()
          return performance.now() - t0
        }
        await pool(20, 5, get)
        const times = (await pool(QUERIES / 2, 5, get)).sort((a, b) => a - b)
        console.log(`  account search over ${ACCOUNTS} accounts, ${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`)
      }
    } finally {
      await api.stop()
      await rm(storageDir, { recursive: true, force: true })
    }
  },
)
