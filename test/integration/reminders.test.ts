import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, signUp, supplierId } from '../support/auth.ts'
import { startSmtpServer, type SmtpServer } from '../support/smtp.ts'

let ctx: TestContext
let smtp: SmtpServer

beforeAll(async () => {
  smtp = await startSmtpServer()
  ctx = await buildTestApp({ SMTP_URL: smtp.url })
  await seedDemoData(ctx.client.prisma)
  await signUp(ctx, smtp, 'ivan@example.test', DEMO.ivanovHeat) // heat account 5400012345 has a demo meter
  await signUp(ctx, smtp, 'quiet@example.test', DEMO.semenovaWater)
  await ctx.client.prisma.user.update({ where: { email: 'quiet@example.test' }, data: { notifyReadingWindow: false } })
  await ctx.client.prisma.meter.create({
    data: { accountId: (await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '12-0012346' } })).id, service: 'cold_water', serialNumber: 'Q-1' },
  })
})
afterAll(async () => {
  await ctx.close()
  await smtp.close()
})

const reminders = () => smtp.received.filter((m) => m.subject === 'Пора передать показания счётчиков')

describe('reading reminders', () => {
  it('mail once when the window opens (supplier local time), only to people who want them and have not submitted', async () => {
    // 15 November 2026, 00:30 in Novosibirsk (UTC+7) is still the 14th in UTC: the window is open
    // there, but nobody is mailed at night; from 10:00 local time (03:00 UTC) they are.
    expect(await ctx.app.readingReminders.run(new Date('2026-11-14T17:30:00Z'))).toBe(0)
    const opening = new Date('2026-11-15T03:00:00Z')
    expect(await ctx.app.readingReminders.run(opening)).toBe(1)
    await ctx.app.mail.drain()
    expect(reminders().map((m) => m.to)).toEqual(['ivan@example.test'])
    expect(reminders()[0]!.text).toContain('с 15.11.2026 по 25.11.2026')
    expect(reminders()[0]!.text).toContain('5400012345')

    // Again in the same window: nothing more.
    expect(await ctx.app.readingReminders.run(new Date('2026-11-20T05:00:00Z'))).toBe(0)
    await ctx.app.mail.drain()
    expect(reminders()).toHaveLength(1)
  })

  it('skip accounts that already have a reading for the period', async () => {
    const heat = await supplierId(ctx, 'sibteplo')
    const account = await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '5400012345' } })
    const meter = await ctx.client.prisma.meter.findFirstOrThrow({ where: { accountId: account.id } })
    await ctx.client.prisma.reading.create({
      data: { meterId: meter.id, accountId: account.id, period: new Date('2026-12-01'), t1: '1', takenAt: new Date('2026-12-15T05:00:00Z'), source: 'customer', flags: [] },
    })
    expect(await ctx.app.readingReminders.run(new Date('2026-12-15T05:00:00Z'))).toBe(0)
    expect(await ctx.client.prisma.reminderRun.count({ where: { supplierId: heat } })).toBe(2)
  })

  it('send nothing outside the window', async () => {
    expect(await ctx.app.readingReminders.run(new Date('2027-01-05T05:00:00Z'))).toBe(0)
    expect(await ctx.client.prisma.reminderRun.count({ where: { period: new Date('2027-01-01') } })).toBe(0)
  })
})
