import { setClock } from '../../src/common/clock.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import type { Tx } from '../../src/db/transaction.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, bearer, signUp } from '../support/auth.ts'
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer
let token: string
let accountId: string
let meterId: string
const p = () => ctx.client.prisma

beforeAll(async () => {
  smtp = await startSmtpServer()
  // Inside the heat supplier's window (15th..25th, Novosibirsk).
  ctx = await buildTestApp({ SMTP_URL: smtp.url }, { clock: setClock('2026-11-20T05:00:00Z') })
  await seedDemoData(p())
  token = (await signUp(ctx, smtp, 'ivan@example.test', DEMO.ivanovHeat)).accessToken
  // The confirmation mail per reading is opt-in; Ivan asks for it.
  const optIn = await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(token), payload: { notifications: { readingAccepted: true } } })
  expect(optIn.json().notifications).toMatchObject({ readingAccepted: true, email: true })
  const account = await p().account.findFirstOrThrow({ where: { number: '5400012345' } })
  accountId = account.id
  meterId = (await p().meter.findFirstOrThrow({ where: { accountId } })).id
})
afterAll(async () => {
  await p().$executeRawUnsafe('DROP TRIGGER IF EXISTS refuse_jobs ON graphile_worker._private_jobs')
  await ctx.close()
  await smtp.close()
})

const submit = (t1: string) => ctx.app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/readings`, headers: bearer(token), payload: { meterId, values: { T1: t1 } } })
const counts = async () => ({
  readings: await p().reading.count({ where: { meterId } }),
  audit: await p().auditLog.count({ where: { entity: 'reading' } }),
  jobs: (await p().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'readings:accepted'`)[0]!.n,
})

describe('one unit of work', () => {
  it('a reading, its audit entry and its queued job commit or roll back together', async () => {
    // The queue refuses the job: the reading and its audit entry must not stay behind.
    await p().$executeRawUnsafe(`CREATE OR REPLACE FUNCTION refuse_job() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'job queue unavailable'; END $$`)
    await p().$executeRawUnsafe('CREATE TRIGGER refuse_jobs BEFORE INSERT ON graphile_worker._private_jobs FOR EACH ROW EXECUTE FUNCTION refuse_job()')
    const refused = await submit('123.400')
    expect(refused.statusCode).toBe(500)
    expect(refused.json()).toMatchObject({ code: 'internal_error' })
    expect(JSON.stringify(refused.json())).not.toContain('job queue unavailable')
    expect(await counts()).toEqual({ readings: 0, audit: 0, jobs: 0 })

    await p().$executeRawUnsafe('DROP TRIGGER refuse_jobs ON graphile_worker._private_jobs')
    const saved = await submit('123.400')
    expect(saved.statusCode).toBe(201)
    expect(await counts()).toEqual({ readings: 1, audit: 1, jobs: 1 })
    const entry = await p().auditLog.findFirstOrThrow({ where: { entity: 'reading' } })
    expect(entry).toMatchObject({ entityId: saved.json().reading.id, action: 'submit', actorRole: 'customer' })
  })

  it('the job confirms the reading to the customer by mail, once it runs', async () => {
    await ctx.app.mail.drain()
    const mail = smtp.to('ivan@example.test').find((m) => m.subject === 'Показания приняты')
    expect(mail?.text).toContain('5400012345')
    expect(mail?.text).toContain('ноябрь 2026')
    expect(mail?.text).toContain('T1 123.400')
    expect((await ctx.app.jobs.stats()).waiting).toBe(0)
  })

  it('plain SQL and ORM calls of a unit of work share its connection, see each other, and roll back together', async () => {
    const rollback = new Error('rollback')
    const context = { caller: { userId: '00000000-0000-0000-0000-000000000000', sessionId: 'x', role: 'admin' as const, supplierId: null }, requestId: 'probe', ip: '127.0.0.1' }
    await expect(
      ctx.app.transaction(async (tx) => {
        await ctx.app.audit.record(tx, context, { supplierId: null, entity: 'probe', entityId: 'p1', action: 'probe' })
        await tx.auditLog.create({ data: { actorRole: 'admin', entity: 'probe', entityId: 'p2', action: 'probe' } })
        expect(await tx.auditLog.count({ where: { entity: 'probe' } })).toBe(2)
        expect(await tx.sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'probe'`).toEqual([{ n: 2 }])
        // Outside the unit of work nothing is visible yet.
        expect(await ctx.client.prisma.auditLog.count({ where: { entity: 'probe' } })).toBe(0)
        throw rollback
      }),
    ).rejects.toBe(rollback)
    expect(await p().auditLog.count({ where: { entity: 'probe' } })).toBe(0)
  })

  it('refuses a statement made through a unit of work that has ended', async () => {
    let leaked: Tx | undefined
    await ctx.app.transaction(async (tx) => {
      leaked = tx
    })
    await expect(leaked!.sql`SELECT 1`).rejects.toThrow(/Transaction already closed/)
  })

  it('a reading that slips past the lock meets the one-current-reading index: one retry, then 409 reading_conflict', async () => {
    // A trigger plays a racer that got past the lock: before our INSERT it inserts a current
    // reading of the same meter and period. The sequence counts its turns (sequences ignore
    // rollbacks); slip_limit says how many it gets.
    await p().$executeRawUnsafe('CREATE SEQUENCE slip_turn')
    await p().$executeRawUnsafe('CREATE TABLE slip_limit (n int NOT NULL)')
    await p().$executeRawUnsafe(`CREATE FUNCTION slip_in() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF pg_trigger_depth() = 1 AND nextval('slip_turn') <= (SELECT n FROM slip_limit) THEN
        INSERT INTO reading (id, "meterId", "accountId", period, t1, "takenAt", source, flags, status)
        VALUES (gen_random_uuid(), NEW."meterId", NEW."accountId", NEW.period, NEW.t1, NEW."takenAt", 'operator', '{}', 'accepted');
      END IF;
      RETURN NEW;
    END $$`)
    await p().$executeRawUnsafe('CREATE TRIGGER slip_in BEFORE INSERT ON reading FOR EACH ROW EXECUTE FUNCTION slip_in()')
    try {
      const before = await counts()
      // One slip: the first attempt hits the index, the retry goes through.
      await p().$executeRawUnsafe('INSERT INTO slip_limit VALUES (1)')
      const retried = await submit('124.100')
      expect(retried.statusCode).toBe(201)
      // Two slips: both attempts hit it; a clean 409 and nothing written.
      await p().$executeRawUnsafe(`SELECT setval('slip_turn', 1, false)`)
      await p().$executeRawUnsafe('UPDATE slip_limit SET n = 2')
      const refused = await submit('124.200')
      expect(refused.statusCode).toBe(409)
      expect(refused.json()).toMatchObject({ code: 'reading_conflict' })
      expect(await counts()).toMatchObject({ readings: before.readings + 1, audit: before.audit + 1 })
    } finally {
      await p().$executeRawUnsafe('DROP TRIGGER slip_in ON reading')
      await p().$executeRawUnsafe('DROP FUNCTION slip_in()')
      await p().$executeRawUnsafe('DROP TABLE slip_limit')
      await p().$executeRawUnsafe('DROP SEQUENCE slip_turn')
    }
  })

  it('queues no confirmation for someone who did not ask for it, and still audits the reading', async () => {
    await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(token), payload: { notifications: { readingAccepted: false } } })
    const before = await counts()
    const saved = await submit('123.900')
    expect(saved.statusCode).toBe(201)
    expect(await counts()).toEqual({ readings: before.readings + 1, audit: before.audit + 1, jobs: before.jobs })
  })
})
