import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { localDate, localHour } from '../accounts/meters.ts'
import { ruDate } from '../common/periods.ts'
import { displayName } from '../auth/identity.ts'
import { decideWindow } from './rules.ts'

declare module 'fastify' {
  interface FastifyInstance {
    readingReminders: { run(now?: Date): Promise<number> }
  }
}

export const REMINDERS_TASK = 'readings:remind'

/**
 * When a supplier's reading window opens (in its time zone, from READING_REMINDER_HOUR local time), one mail per person — with email
 * notifications and reading reminders on — listing their accounts of that supplier that have no
 * reading for the period yet. Once per window: a reminder_run row, written in the same
 * transaction as the mails, is the proof; several instances cannot both send.
 */
export default fp(
  async function readingReminders(app: FastifyInstance) {
    async function run(now = app.config.clock.now()): Promise<number> {
      let sent = 0
      for (const supplier of await app.prisma.supplier.findMany()) {
        const today = localDate(now, supplier.timeZone)
        const decision = decideWindow(today, { startDay: supplier.readingWindowStartDay, endDay: supplier.readingWindowEndDay, acceptOutside: false })
        if (!decision.accepted) continue
        // Not at night: from the configured hour of the supplier's day (any later day of the window
        // catches up, should the workers have been down).
        if (today === decision.window.from && localHour(now, supplier.timeZone) < app.config.readingReminderHour) continue
        const period = new Date(`${decision.period}-01T00:00:00Z`)
        sent += await app.transaction(async (tx) => {
          const claimed = await tx.$executeRaw`
            INSERT INTO reminder_run ("supplierId", period, "sentCount") VALUES (${supplier.id}::uuid, ${period}, 0)
            ON CONFLICT DO NOTHING`
          if (claimed === 0) return 0
          const recipients = await tx.$queryRaw<{ email: string; surname: string; givenNames: string | null; numbers: string[] }[]>`
            SELECT u.email, u.surname, u."givenNames", array_agg(DISTINCT a.number ORDER BY a.number) AS numbers
            FROM "user" u
            JOIN user_account ua ON ua."userId" = u.id
            JOIN account a ON a.id = ua."accountId"
            WHERE a."supplierId" = ${supplier.id}::uuid AND a.status = 'active'
              AND u."deletedAt" IS NULL AND u.email IS NOT NULL AND u."emailConfirmedAt" IS NOT NULL
              AND u."notifyByEmail" AND u."notifyReadingWindow"
              AND a."readingsCollectedBy" IS NULL
              AND EXISTS (SELECT 1 FROM meter m WHERE m."accountId" = a.id AND m.status = 'active')
              AND NOT EXISTS (SELECT 1 FROM reading r WHERE r."accountId" = a.id AND r.period = ${period} AND r.status IN ('accepted', 'billed'))
            GROUP BY u.id`
          for (const person of recipients) {
            await app.mail.enqueue(tx, {
              template: 'reading_window_open',
              to: person.email,
              name: displayName(person),
              supplier: supplier.shortName,
              accounts: person.numbers,
              from: ruDate(decision.window.from),
              to_: ruDate(decision.window.to),
              link: `${app.config.publicWebUrl}/readings`,
            })
          }
          await tx.reminderRun.update({ where: { supplierId_period: { supplierId: supplier.id, period } }, data: { sentCount: recipients.length } })
          return recipients.length
        })
      }
      if (sent > 0) app.log.info({ sent }, 'reading reminders queued')
      return sent
    }

    app.decorate('readingReminders', { run })
    app.jobs.define(REMINDERS_TASK, async () => void (await run()))
    // Every quarter of an hour: each supplier's window opens at its own local midnight.
    app.jobs.schedule(REMINDERS_TASK, '*/15 * * * *')
  },
  { name: 'reading-reminders', dependencies: ['prisma', 'mail', 'jobs'] },
)
