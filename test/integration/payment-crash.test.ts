import { spawn, type ChildProcess } from 'node:child_process'
import pg from 'pg'
import { loadConfig } from '../../src/config.ts'
import { freePort } from '../../src/db/embedded.ts'
import { sandboxObjectId, signSandboxNotification } from '../../src/payments/providers/sandbox.ts'
import type { Payment } from '../../src/payments/schemas.ts'
import type { TestContext } from '../helper.ts'
import { DEMO, bearer } from '../support/auth.ts'
import { twoCustomers } from '../support/customers.ts'
import { waitFor } from '../support/wait.ts'

// The API as production runs it, in a process of its own that is killed without warning.
async function startServer(databaseUrl: string): Promise<{ base: string; child: ChildProcess; exited: Promise<void> }> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      PROCESS_ROLES: 'api',
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: 'false',
      SEED_DEMO_DATA: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const base = `http://127.0.0.1:${port}`
  await waitFor(() => fetch(`${base}/health`).then((r) => r.ok, () => false), 'the server to start')
  return { base, child, exited }
}


const SECRET = loadConfig({ NODE_ENV: 'test' }).payments.sandbox.secret
let ctx: TestContext
let anna: string
let annaAccount: string
let close: () => Promise<void>
const p = () => ctx.client.prisma

beforeAll(async () => {
  ;({ ctx, anna, close } = await twoCustomers())
  annaAccount = (await p().account.findFirstOrThrow({ where: { number: DEMO.semenovaWater.number } })).id
})
afterAll(() => close())

describe('a crash while a provider’s notification is being stored', () => {
  it('stored but unanswered, the provider delivers again after the restart: one notification, one payment settled once', async () => {
    const started = await ctx.app.inject({
      method: 'POST',
      url: `/v1/accounts/${annaAccount}/payments`,
      headers: bearer(anna),
      payload: { amount: '321.00', returnUrl: 'https://lk.example.test/done' },
    })
    const payment = started.json<Payment>()
    const { headers, payload } = signSandboxNotification(
      SECRET,
      { type: 'payment.succeeded', paymentId: payment.id, objectId: sandboxObjectId(payment.id), amount: payment.amount, occurredAt: new Date().toISOString() },
      new Date(),
    )
    const deliver = (base: string) => fetch(`${base}/v1/webhooks/payments/sandbox`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: payload })

    // Hold the store at its insert, so that the kill lands while the notification is being stored.
    const blocker = new pg.Client({ connectionString: ctx.db.url })
    await blocker.connect()
    await blocker.query('BEGIN')
    await blocker.query('LOCK TABLE payment_notification IN SHARE ROW EXCLUSIVE MODE')
    const first = await startServer(ctx.db.url)
    let answered: Response | Error
    try {
      const pending = deliver(first.base).then(
        (response) => response,
        (error: Error) => error,
      )
      await waitFor(
        async () =>
          (await p().$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO payment_notification%'`)[0]!.n === 1,
        'the store to reach its insert',
      )
      first.child.kill('SIGKILL')
      await first.exited
      answered = await pending
    } finally {
      first.child.kill('SIGKILL')
      await blocker.query('ROLLBACK')
      await blocker.end()
    }
    // The provider got no answer. The statement itself runs on once the lock is free (PostgreSQL
    // learns that its client is gone only when it answers), so the notification is stored and
    // never acknowledged: the crash after storing and before answering.
    expect((answered as { status?: number }).status).toBeUndefined()
    await waitFor(
      async () =>
        (await p().$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%INSERT INTO payment_notification%' AND pid <> pg_backend_pid()`)[0]!.n === 0,
      'the dead store to end',
    )
    expect(await p().paymentNotification.count({ where: { paymentId: payment.id } })).toBeLessThanOrEqual(1)

    // It retries after the restart, and (as providers do) once more.
    const second = await startServer(ctx.db.url)
    try {
      expect((await deliver(second.base)).status).toBe(200)
      expect((await deliver(second.base)).status).toBe(200)
      // Killed again after answering: the stored notification outlives the process.
      second.child.kill('SIGKILL')
      await second.exited
    } finally {
      second.child.kill('SIGKILL')
    }
    const third = await startServer(ctx.db.url)
    try {
      expect((await deliver(third.base)).status).toBe(200)
    } finally {
      third.child.kill('SIGTERM')
      await third.exited
    }
    await ctx.app.jobs.drain()
    expect(await p().paymentNotification.count({ where: { paymentId: payment.id } })).toBe(1)
    const events = await p().paymentEvent.findMany({ where: { paymentId: payment.id, toStatus: 'succeeded' } })
    expect(events).toHaveLength(1)
    expect(await p().payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ status: 'succeeded' })
  }, 300_000)
})
