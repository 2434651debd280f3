import { spawn, type ChildProcess } from 'node:child_process'
import { getPriority } from 'node:os'
import pg from 'pg'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { bearer, createStaff, login, supplierId } from '../support/auth.ts'
import { waitFor } from '../support/wait.ts'

// `npm run worker` as it runs in production: a process of its own, killed without warning.
function startWorker(databaseUrl: string): { child: ChildProcess; exited: Promise<void>; output: () => string } {
  let output = ''
  const child = spawn(process.execPath, ['--max-semi-space-size=16', '--import', 'tsx', 'src/worker.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false', SEED_DEMO_DATA: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return { child, exited, output: () => output }
}


let ctx: TestContext
let operator: string
let heat: string
const p = () => ctx.client.prisma

const ROWS = 3000
// Valid rows, then three a merge rejects (two repeats and a malformed number).
const csv = [
  'number;address;holder_surname;residents;area;services',
  ...Array.from({ length: ROWS }, (_, i) => `${String(5401000000 + i)};г. Новосибирск, ул. Новая, д. 1, кв. ${i + 1};Житель${i};2;40.5;heat`),
  `5401000000;г. Новосибирск, ул. Новая, д. 1, кв. 1;Житель0;2;40.5;heat`,
  `5401000001;г. Новосибирск, ул. Новая, д. 1, кв. 2;Житель1;2;40.5;heat`,
  `54-bad;г. Новосибирск;Никто;1;1;heat`,
].join('\n')

beforeAll(async () => {
  ctx = await buildTestApp()
  await seedDemoData(p())
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@heat.test', 'operator passphrase heat 1', heat)
  operator = (await login(ctx, 'op@heat.test', 'operator passphrase heat 1')).accessToken
})
afterAll(async () => {
  await ctx.close()
})

describe('a worker killed in the middle of an import merge', () => {
  it('leaves nothing half-merged; after a restart the job completes exactly as if nothing happened', async () => {
    const accountsBefore = await p().account.count({ where: { supplierId: heat } })
    // Hold the merge at its first write into the register, so the kill lands mid-transaction.
    const blocker = new pg.Client({ connectionString: ctx.db.url })
    await blocker.connect()
    await blocker.query('BEGIN')
    await blocker.query('LOCK TABLE account IN SHARE ROW EXCLUSIVE MODE')

    const upload = await ctx.app.inject({
      method: 'POST',
      url: `/v1/admin/suppliers/${heat}/imports/accounts`,
      headers: { ...bearer(operator), 'content-type': 'text/csv; charset=utf-8' },
      payload: csv,
    })
    expect(upload.statusCode).toBe(202)
    const importId: string = upload.json().id

    const first = startWorker(ctx.db.url)
    try {
      // The merge has begun: its rejections are written and its upsert waits for the table lock.
      // (Asked on another connection: inside the blocker's transaction pg_stat_activity is a snapshot.)
      await waitFor(
        async () =>
          (await p().$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO account%'`)[0]!.n === 1,
        'the merge to reach the register',
      )
      first.child.kill('SIGKILL')
      await first.exited
    } finally {
      first.child.kill('SIGKILL')
    }
    await blocker.query('ROLLBACK')
    await blocker.end()
    // The dead worker's transaction never commits: PostgreSQL rolls it back when it finds the client gone.
    await waitFor(
      async () => (await p().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%INSERT INTO account%' AND pid <> pg_backend_pid()`)[0]!.n === 0,
      'the dead merge to end',
    )
    expect(await p().importJob.findUniqueOrThrow({ where: { id: importId } })).toMatchObject({ status: 'merging' })
    expect(await p().account.count({ where: { supplierId: heat } })).toBe(accountsBefore)
    expect(await p().importRejection.count({ where: { jobId: importId } })).toBe(0)

    // A new worker releases the dead one's job at once (its liveness lock is gone) and merges.
    const second = startWorker(ctx.db.url)
    try {
      const job = await waitFor(async () => {
        const found = await p().importJob.findUniqueOrThrow({ where: { id: importId } })
        return found.status === 'completed' && found
      }, `the import to complete (worker output: ${second.output()})`)
      expect(job).toMatchObject({ totalRows: ROWS + 3, insertedRows: ROWS, updatedRows: 0, unchangedRows: 0, rejectedRows: 3 })
      // A worker-only process yields the CPU to API processes on the same cores (WORKER_NICE, 10 by default).
      expect(getPriority(second.child.pid)).toBeGreaterThanOrEqual(10)
    } finally {
      second.child.kill('SIGTERM')
      await second.exited
    }
    expect(await p().account.count({ where: { supplierId: heat } })).toBe(accountsBefore + ROWS)
    const rejections = await p().importRejection.findMany({ where: { jobId: importId }, orderBy: { line: 'asc' } })
    expect(rejections.map((r) => [r.line, r.code])).toEqual([
      [ROWS + 2, 'duplicate_in_file'],
      [ROWS + 3, 'duplicate_in_file'],
      [ROWS + 4, 'account_number_invalid'],
    ])
    expect(await p().account.findFirst({ where: { supplierId: heat, number: '5401002999' } })).toMatchObject({ holderSurname: 'Житель2999' })
    // The staged rows are gone with the merge, and a stopped worker leaves no liveness row behind.
    expect(await p().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'import_staging'`).toEqual([{ n: 0 }])
    expect(await p().workerProcess.count()).toBe(0)
  }, 300_000)
})
