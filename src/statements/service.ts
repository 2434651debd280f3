import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { localDate } from '../accounts/meters.ts'
import { periodOf, periodRange } from '../common/periods.ts'
import type { Caller } from '../access/guard.ts'
import { holderName } from '../accounts/holder-name.ts'
import { UnprocessableError } from '../common/errors.ts'
import { balances, statementTotals } from '../ledger/service.ts'
import type { CertificateInput } from './documents.ts'
import type { Statement, StatementQuery } from './schemas.ts'

export const MAX_STATEMENT_MONTHS = 60

/**
 * Statements of account: per period, the opening balance, charges by service, settled payments
 * and the closing balance, as the ledger reckons them; periods are the supplier's calendar months.
 */
function createStatementService(app: FastifyInstance) {
  return {
    /** What a debt certificate states, as of now: the balance, the penalties in it, the last receipt. */
    async debtCertificate(caller: Caller, accountId: string): Promise<CertificateInput> {
      const account = await app.accounts.findVisible(caller, accountId)
      const balance = (await balances(app.db, [account.id])).get(account.id)!
      const at = app.config.clock.now()
      const { name, inn, kpp, bankName, bik, settlementAccount, correspondentAccount, timeZone } = account.supplier
      const [row] = await app.db.sql<{ penalties: string }>`
        SELECT COALESCE(sum(amount), 0)::text AS penalties FROM charge WHERE "accountId" = ${account.id}::uuid AND kind = 'penalty'`
      const [lastInvoice] = await app.db.sql<CertificateInput['lastInvoice'] & object>`
        SELECT number, to_char(period, 'YYYY-MM') AS period, "totalDue"::text AS "totalDue", "dueDate"::text AS "dueDate"
        FROM invoice WHERE "accountId" = ${account.id}::uuid ORDER BY period DESC LIMIT 1`
      return {
        number: `${localDate(at, timeZone).replace(/-/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`,
        supplier: { name, inn, kpp, bankName, bik, settlementAccount, correspondentAccount, timeZone },
        account: { number: account.number, address: account.address, holder: holderName(account) },
        balance: balance.balance,
        pendingPayments: balance.pendingPayments,
        penalties: row!.penalties,
        lastInvoice: lastInvoice ?? null,
        at,
      }
    },

    /** The statement, and the supplier's time zone its documents are dated in. */
    async statement(caller: Caller, accountId: string, query: StatementQuery): Promise<{ statement: Statement; timeZone: string }> {
      const account = await app.accounts.findVisible(caller, accountId)
      const { supplier } = account
      // The supplier's current period by the injected clock.
      const range = periodRange(query, periodOf(localDate(app.config.clock.now(), supplier.timeZone)), MAX_STATEMENT_MONTHS)
      if ('invalid' in range) throw new UnprocessableError('period_range_invalid', range.invalid)
      const { from, to } = range
      const totals = await statementTotals(app.db, account.id, { from, to, timeZone: supplier.timeZone })
      const invoices = new Map(
        (
          await app.db.sql<{ period: string; number: number; totalDue: string; dueDate: string }>`
            SELECT to_char(period, 'YYYY-MM') AS period, number, "totalDue"::text AS "totalDue", "dueDate"::text AS "dueDate"
            FROM invoice WHERE "accountId" = ${account.id}::uuid AND period BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date`
        ).map(({ period, ...invoice }) => [period, invoice]),
      )
      const statement: Statement = {
        account: {
          id: account.id,
          number: account.number,
          address: account.address,
          holder: holderName(account),
        },
        supplier: { name: supplier.name, inn: supplier.inn },
        from,
        to,
        ...totals,
        periods: totals.periods.map((p) => ({ ...p, invoice: invoices.get(p.period) ?? null })),
        generatedAt: new Date().toISOString(),
      }
      return { statement, timeZone: supplier.timeZone }
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    statements: ReturnType<typeof createStatementService>
  }
}

export default fp(
  async function statementService(app: FastifyInstance) {
    app.decorate('statements', createStatementService(app))
  },
  { name: 'statement-service', dependencies: ['prisma', 'accounts-service'] },
)
