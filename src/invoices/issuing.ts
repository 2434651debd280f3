import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { holderName } from '../accounts/holder-name.ts'
import { addMonths, periodName, ruDate } from '../common/periods.ts'
import { rubles, toKopecks } from '../common/money.ts'
import { lockUntilCommit } from '../db/locks.ts'
import type { Tx } from '../db/transaction.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { ISSUE_INVOICES_TASK, RECEIPT_RECIPIENT, issueInvoices } from './issue-sql.ts'
import { queuePrintBatch } from './print-batch.ts'
import { assertReceiptRequisites } from './qr-problem.ts'

export const DELIVER_INVOICES_TASK = 'invoices:deliver'

/** Receipt mails are queued this many at a time (rendered in Node, inserted in one statement). */
const MAIL_BATCH = 2000

interface Recipient {
  invoiceId: string
  number: number
  accountId: string
  accountNumber: string
  totalDue: string
  dueDate: string
  email: string
  surname: string
  givenNames: string | null
}

/** "2026-12-15" for a period's receipts: the supplier's due day of the month after the period. */
export function dueDateOf(period: string, paymentDueDay: number): string {
  return `${addMonths(period, 1)}-${String(paymentDueDay).padStart(2, '0')}`
}

/**
 * The jobs that issue a closed period's invoices and deliver them. Closing queues the first in
 * its own transaction; the first queues the second in its own, so each step happens exactly once
 * the step before it committed.
 */
export default fp(
  async function invoiceIssuing(app: FastifyInstance) {
    app.jobs.define(ISSUE_INVOICES_TASK, async (payload) => {
      const supplierId = String(payload.supplierId)
      const period = String(payload.period)
      await app.transaction(
        async (tx) => {
          await lockUntilCommit(tx, 'abonent-billing', `${supplierId} ${period}`)
          const [closed] = await tx.sql<{ runId: string | null; issuedAt: Date | null }>`
            SELECT "runId", "invoicesIssuedAt" AS "issuedAt" FROM closed_period WHERE "supplierId" = ${supplierId}::uuid AND period = ${`${period}-01`}::date`
          if (!closed || closed.issuedAt) return
          const supplier = await tx.supplier.findUniqueOrThrow({ where: { id: supplierId } })
          // Closing checked them; a change since then that leaves them unusable fails the job,
          // which is retried (and listed among the failed jobs) until they are fixed.
          assertReceiptRequisites(supplier)
          const { issued, paper } = await issueInvoices(tx, {
            supplierId,
            period,
            runId: closed.runId,
            timeZone: supplier.timeZone,
            dueDate: dueDateOf(period, supplier.paymentDueDay),
            issuedAt: app.config.clock.now(),
          })
          await tx.sql`
            UPDATE closed_period SET "invoicesIssuedAt" = ${app.config.clock.now()}, "invoicesIssued" = ${issued}::int
            WHERE "supplierId" = ${supplierId}::uuid AND period = ${`${period}-01`}::date`
          await app.jobs.add(tx, { task: DELIVER_INVOICES_TASK, payload: { supplierId, period }, key: `invoices:deliver:${supplierId}:${period}` })
          // Credit waiting for a receipt goes onto these (the payments' job, payments/notifications.ts).
          await app.jobs.add(tx, { task: 'payments:allocate', payload: { supplierId }, key: `payments:allocate:${supplierId}` })
          // Autopays announce their charges of these receipts (payments/autopay.ts).
          await app.jobs.add(tx, { task: 'autopay:schedule', payload: { supplierId, period }, key: `autopay:schedule:${supplierId}:${period}` })
          await queuePrintBatch(app, tx, { supplierId, period, runId: closed.runId, invoices: paper })
        },
        { timeout: 3_600_000 },
      )
    })

    /**
     * Mails each receipt of electronic delivery (each has a recipient: issuing put the others on
     * paper), with its PDF, to every confirmed address of the people who linked the account: all
     * in one transaction, so a retry never mails twice.
     */
    app.jobs.define(DELIVER_INVOICES_TASK, async (payload) => {
      const supplierId = String(payload.supplierId)
      const period = String(payload.period)
      const supplier = await app.prisma.supplier.findUniqueOrThrow({ where: { id: supplierId } })
      const link = (accountId: string) => `${app.config.publicWebUrl}/accounts/${accountId}/invoices/${period}`
      await app.transaction(
        async (tx: Tx) => {
          const [state] = await tx.sql<{ delivered: boolean }>`
            SELECT EXISTS (SELECT 1 FROM mail_outbox m JOIN invoice i ON i.id = m."invoiceId"
              WHERE i."supplierId" = ${supplierId}::uuid AND i.period = ${`${period}-01`}::date) AS delivered`
          if (state!.delivered) return
          let after: [string, string] = ['00000000-0000-0000-0000-000000000000', '']
          for (;;) {
            const batch = await tx.sql<Recipient>`
              SELECT i.id AS "invoiceId", i.number, i."accountId", i."accountNumber", i."totalDue"::text AS "totalDue", i."dueDate"::text AS "dueDate",
                     u.email, u.surname, u."givenNames"
              FROM invoice i
              JOIN user_account ua ON ua."accountId" = i."accountId"
              JOIN "user" u ON u.id = ua."userId"
              WHERE i."supplierId" = ${supplierId}::uuid AND i.period = ${`${period}-01`}::date AND i.delivery = 'electronic'
                AND ${Prisma.raw(RECEIPT_RECIPIENT)}
                AND (i.id, u.email) > (${after[0]}::uuid, ${after[1]})
              ORDER BY i.id, u.email
              LIMIT ${MAIL_BATCH}`
            if (batch.length === 0) break
            await app.mail.enqueueMany(
              tx,
              batch.map((r) => {
                const due = toKopecks(r.totalDue)
                return {
                  invoiceId: r.invoiceId,
                  mail: {
                    template: 'invoice_issued' as const,
                    to: r.email,
                    name: holderName({ holderSurname: r.surname, holderGivenNames: r.givenNames }),
                    supplier: supplier.shortName,
                    account: r.accountNumber,
                    period: periodName(period),
                    number: String(r.number),
                    totalDue: due > 0n ? `К оплате: ${rubles(due)} ₽.` : due < 0n ? `Переплата: ${rubles(-due)} ₽, платить ничего не нужно.` : 'К оплате ничего нет.',
                    dueDate: ruDate(r.dueDate),
                    link: link(r.accountId),
                  },
                }
              }),
            )
            const last = batch.at(-1)!
            after = [last.invoiceId, last.email]
          }
        },
        { timeout: 3_600_000 },
      )
    })
  },
  { name: 'invoice-issuing', dependencies: ['prisma', 'jobs', 'mail', 'invoice-service'] },
)
