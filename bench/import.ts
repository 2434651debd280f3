// npm run bench:import — generates a register of BENCH_ACCOUNTS accounts (default 1,000,000) with two
// meters each, uploads it over HTTP as CSV to the running app (accounts, then meters), waits for each
// job, and prints times, rows/s and the process's peak RSS. Runs on a scratch database (dropped after)
// on the embedded PostgreSQL, or on the server of DATABASE_URL.
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { once } from 'node:events'
import { buildApp } from '../src/app.ts'
import { hashPassword } from '../src/auth/password.ts'
import { loadConfig } from '../src/config.ts'
import { withDemoDatabase } from './demo-database.ts'

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000)
const SURNAMES = ['Иванов', 'Смирнова', 'Кузнецов', 'Попова', 'Васильев', 'Петрова', 'Соколов', 'Михайлова', 'Новиков', 'Фёдорова']

async function writeLines(file: string, header: string, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(file)
  let chunk = `${header}\n`
  for (let i = 0; i < ACCOUNTS; i++) {
    chunk += line(i)
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  out.end(chunk)
  await once(out, 'finish')
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', BCRYPT_COST: '4', RATE_LIMIT_MAX: '1000000', SEED_DEMO_DATA: 'false', REQUEST_TIMEOUT_MS: '600000' })
const dir = await mkdtemp(path.join(tmpdir(), 'abonent-bench-import-'))

try {
  const accountsFile = path.join(dir, 'accounts.csv')
  const metersFile = path.join(dir, 'meters.csv')
  const t = performance.now()
  await writeLines(accountsFile, 'number;address;holder_surname;holder_given_names;residents;area;services;opening_balance', (i) =>
    `${5_500_000_000 + i};г. Новосибирск, ул. Тестовая, д. ${Math.floor(i / 100) + 1}, кв. ${(i % 100) + 1};${SURNAMES[i % 10]};;${(i % 5) + 1};${30 + (i % 70)},${String(i % 100).padStart(2, '0')};heat|hot_water;${i % 3 === 0 ? `${i % 9000},${i % 100}` : '0'}\n`,
  )
  await writeLines(metersFile, 'account_number;service;serial_number;zones;digit_capacity;installed_at;verification_due_at', (i) =>
    `${5_500_000_000 + i};heat;HT${i};1;6;2021-03-15;2027-03-15\n${5_500_000_000 + i};hot_water;HW${i};1;5;15.03.2021;15.03.2027\n`,
  )
  console.log(`generated ${ACCOUNTS} accounts (${mb((await stat(accountsFile)).size)}) and ${2 * ACCOUNTS} meters (${mb((await stat(metersFile)).size)}) in ${((performance.now() - t) / 1000).toFixed(1)} s`)

  await withDemoDatabase(
    config,
    async (db) => {
      await db.prisma.user.create({
        data: { role: 'admin', email: 'bench@example.test', emailConfirmedAt: new Date(), surname: 'Bench', passwordHash: await hashPassword('bench admin passphrase 1', config.auth.passwordPepper, 4) },
      })
      return db.prisma.supplier.findUniqueOrThrow({ where: { code: 'sibteplo' } })
    },
    async (url, supplier) => {
      const app = await buildApp({ ...config, databaseUrl: url })
      await app.listen({ host: '127.0.0.1', port: 0 })
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
      const { accessToken } = (await (await fetch(`${base}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'bench@example.test', password: 'bench admin passphrase 1' }),
      })).json()) as { accessToken: string }

      console.log(`\nnode ${process.version}, ${config.dbPoolMax} pool connections + 1 for the import\n`)
      console.log('import'.padEnd(8), 'rows'.padStart(9), 'upload+check s'.padStart(15), 'done at s'.padStart(10), ' result')
      let peakRss = 0
      let peakHeap = 0
      const sampler = setInterval(() => {
        const usage = process.memoryUsage()
        peakRss = Math.max(peakRss, usage.rss)
        peakHeap = Math.max(peakHeap, usage.heapUsed)
      }, 100)
      const started = performance.now()
      const seconds = (at: number) => ((at - started) / 1000).toFixed(1)
      // As a client would: the meters go up while the accounts merge; the server merges one supplier's
      // imports one at a time, in upload order.
      const jobs: { kind: string; rows: number; id: string; uploaded: number }[] = []
      for (const [kind, file, rows] of [['accounts', accountsFile, ACCOUNTS], ['meters', metersFile, 2 * ACCOUNTS]] as const) {
        const begin = performance.now()
        const handle = await open(file)
        const res = await fetch(`${base}/v1/admin/suppliers/${supplier.id}/imports/${kind}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'text/csv; charset=utf-8' },
          body: handle.readableWebStream(),
          duplex: 'half',
        })
        await handle.close()
        const job = (await res.json()) as { id: string }
        if (res.status !== 202) throw new Error(`upload ${kind}: ${res.status} ${JSON.stringify(job)}`)
        jobs.push({ kind, rows, id: job.id, uploaded: (performance.now() - begin) / 1000 })
      }
      for (const job of jobs) {
        let state: Record<string, unknown> = { status: 'merging' }
        while (state.status === 'merging' || state.status === 'receiving') {
          await new Promise((resolve) => setTimeout(resolve, 200))
          state = (await (await fetch(`${base}/v1/admin/imports/${job.id}`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as Record<string, unknown>
        }
        console.log(
          job.kind.padEnd(8),
          String(job.rows).padStart(9),
          job.uploaded.toFixed(1).padStart(15),
          seconds(performance.now()).padStart(10),
          ` ${String(state.status)}: inserted ${String(state.insertedRows)}, updated ${String(state.updatedRows)}, unchanged ${String(state.unchangedRows)}, rejected ${String(state.rejectedRows)}`,
        )
      }
      clearInterval(sampler)
      const total = (performance.now() - started) / 1000
      console.log(`\nall ${3 * ACCOUNTS} rows in ${total.toFixed(1)} s (${Math.round((3 * ACCOUNTS) / total)} rows/s); during the imports RSS ≤ ${mb(peakRss)}, JS heap ≤ ${mb(peakHeap)}`)
      await app.close()
    },
    1,
  )
} finally {
  await rm(dir, { recursive: true, force: true })
}
