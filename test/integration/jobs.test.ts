import { seedDemoData } from '../../src/db/seed.ts'
import { buildApp, type App } from '../../src/app.ts'
import { buildTestApp, testConfig, type TestContext } from '../helper.ts'
import { bearer, createStaff, login } from '../support/auth.ts'
import { makeJobsDue } from '../support/jobs.ts'

let ctx: TestContext
let admin: string
let operator: string
const p = () => ctx.client.prisma

beforeAll(async () => {
  ctx = await buildTestApp({}, { ready: false })
  ctx.app.jobs.define('test:always-fails', async () => {
    throw new Error('the remote end said no')
  })
  ctx.app.jobs.define('test:noop', async () => {})
  await ctx.app.ready()
  await seedDemoData(p())
  await createStaff(ctx, 'admin', 'root@abonent.test', 'admin passphrase for tests 1')
  admin = (await login(ctx, 'root@abonent.test', 'admin passphrase for tests 1')).accessToken
  const heat = (await p().supplier.findFirstOrThrow({ where: { code: 'sibteplo' } })).id
  await createStaff(ctx, 'operator', 'op@heat.test', 'operator passphrase heat 1', heat)
  operator = (await login(ctx, 'op@heat.test', 'operator passphrase heat 1')).accessToken
})
afterAll(async () => {
  await ctx.close()
})

const get = (url: string, token = admin) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) })
const retry = (id: string, token = admin) => ctx.app.inject({ method: 'POST', url: `/v1/admin/jobs/${id}/retry`, headers: bearer(token) })

describe('failed jobs', () => {
  it('a job that always fails stops after its attempts and is shown to an admin with its error', async () => {
    await ctx.app.transaction((tx) => ctx.app.jobs.add(tx, { task: 'test:always-fails', payload: { what: 'x' }, maxAttempts: 3 }))
    await ctx.app.jobs.drain()
    for (let attempt = 2; attempt <= 3; attempt++) {
      expect(await makeJobsDue(ctx)).toBe(1)
      await ctx.app.jobs.drain()
    }
    // No more attempts: nothing is scheduled any longer.
    expect(await makeJobsDue(ctx)).toBe(0)
    const res = await get('/v1/admin/jobs?state=failed')
    expect(res.statusCode).toBe(200)
    expect(res.json().items).toEqual([
      expect.objectContaining({ task: 'test:always-fails', state: 'failed', attempts: 3, maxAttempts: 3, lastError: expect.stringContaining('the remote end said no'), payload: { what: 'x' } }),
    ])
    expect((await ctx.app.jobs.stats()).failed).toBe(1)
  })

  it('an admin retries it: a fresh set of attempts, due now', async () => {
    const [failed] = (await get('/v1/admin/jobs?state=failed')).json().items
    const res = await retry(failed.id)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id: failed.id, state: 'waiting', attempts: 0 })
    expect((await retry(failed.id)).json()).toMatchObject({ status: 409, code: 'job_not_failed' })
    await ctx.app.jobs.drain()
    expect((await get(`/v1/admin/jobs?task=test:always-fails`)).json().items[0]).toMatchObject({ state: 'scheduled', attempts: 1 })
  })

  it('only admins see the queue; unknown jobs are 404, malformed ids 400', async () => {
    expect((await get('/v1/admin/jobs', operator)).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/admin/jobs' })).statusCode).toBe(401)
    expect((await retry('999999999')).json()).toMatchObject({ status: 404, code: 'job_not_found' })
    expect((await retry('abc')).statusCode).toBe(400)
    expect((await get('/v1/admin/jobs?state=lost')).statusCode).toBe(400)
  })

  it('pages through the queue newest first', async () => {
    await ctx.app.transaction(async (tx) => {
      for (let i = 0; i < 5; i++) await ctx.app.jobs.add(tx, { task: 'test:noop', payload: { i }, runAt: new Date(Date.now() + 3_600_000) })
    })
    const first = (await get('/v1/admin/jobs?task=test:noop&limit=3')).json()
    const second = (await get(`/v1/admin/jobs?task=test:noop&limit=3&cursor=${first.nextCursor}`)).json()
    expect(first.items.map((j: { payload: { i: number } }) => j.payload.i)).toEqual([4, 3, 2])
    expect(second.items.map((j: { payload: { i: number } }) => j.payload.i)).toEqual([1, 0])
    expect(second.nextCursor).toBeNull()
    expect(first.items[0].state).toBe('scheduled')
  })
})

describe('the queue in /ready and /metrics', () => {
  it('reports waiting, scheduled and failed jobs', async () => {
    await ctx.app.transaction((tx) => ctx.app.jobs.add(tx, { task: 'test:noop', payload: {} }))
    const ready = await ctx.app.inject({ method: 'GET', url: '/ready' })
    expect(ready.statusCode).toBe(200)
    // Scheduled: the five for later, and the failed job that was retried (now waiting for its second attempt).
    expect(ready.json().queue).toMatchObject({ waiting: 1, scheduled: 6, running: 0, failed: 0 })
    expect(ready.json().queue.oldestWaitingSeconds).toBeGreaterThanOrEqual(0)
    const metrics = await ctx.app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.body).toMatch(/^jobs\{state="waiting"\} 1$/m)
    expect(metrics.body).toMatch(/^jobs\{state="scheduled"\} 6$/m)
    expect(metrics.body).toMatch(/^jobs_oldest_waiting_seconds \d/m)
  })
})

describe('two workers on one database', () => {
  it('run every job exactly once between them', async () => {
    await p().$executeRawUnsafe('CREATE TABLE job_run (n int NOT NULL, worker text NOT NULL)')
    const workers: App[] = []
    for (const name of ['one', 'two']) {
      const app = await buildApp({ ...testConfig({ PROCESS_ROLES: 'worker', WORKER_CONCURRENCY: '3' }), databaseUrl: ctx.db.url }, { logger: false })
      app.jobs.define('test:record', async (payload) => {
        await app.prisma.$executeRaw`INSERT INTO job_run (n, worker) VALUES (${Number(payload.n)}, ${name})`
      })
      workers.push(app)
    }
    try {
      await Promise.all(workers.map((w) => w.ready()))
      const total = 200
      await ctx.app.transaction(async (tx) => {
        for (let n = 0; n < total; n++) await ctx.app.jobs.add(tx, { task: 'test:record', payload: { n } })
      })
      // Generous bound: a busy machine is slow, never wrong.
      for (let waited = 0; waited < 120_000; waited += 100) {
        const [row] = await p().$queryRaw<{ done: number }[]>`SELECT count(*)::int AS done FROM job_run`
        if (row!.done >= total) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const runs = await p().$queryRaw<{ n: number; times: number }[]>`SELECT n, count(*)::int AS times FROM job_run GROUP BY n ORDER BY n`
      expect(runs).toHaveLength(total)
      expect(runs.every((r) => r.times === 1)).toBe(true)
      const byWorker = await p().$queryRaw<{ worker: string }[]>`SELECT DISTINCT worker FROM job_run`
      expect(byWorker.length).toBeGreaterThanOrEqual(1)
      expect(await p().workerProcess.count()).toBe(2)
    } finally {
      await Promise.all(workers.map((w) => w.close()))
    }
    // A worker that stops cleanly takes its liveness row with it.
    expect(await p().workerProcess.count()).toBe(0)
  })
})
