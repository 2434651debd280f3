import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { localDate } from '../accounts/meters.ts'
import { addMonths, monthsBetween, periodOf } from '../accounts/periods.ts'
import type { Caller } from '../auth/guard.ts'
import { holderName } from '../auth/identity.ts'
import { UnprocessableError } from '../common/errors.ts'
import type { Statement, StatementQuery } from './schemas.ts'

export const MAX_STATEMENT_MONTHS = 60

type ServiceName = Statement['periods'][number]['charges'][number]['service']

/**
 * Statements of account: per period, the opening balance, charges by service, settled payments
 * and the closing balance. All sums are PostgreSQL numerics (never floats); periods are the
 * supplier's calendar months, payments counted by their local date.
 */
function createStatementService(app: FastifyInstance) {
  return {
    /** The statement, and the supplier's time zone its documents are dated in. */
    async statement(caller: Caller, accountId: string, query: StatementQuery): Promise<{ statement: Statement; timeZone: string }> {
      const account = await app.accounts.findVisible(caller, accountId)
      const { supplier } = account
      const to = query.to ?? periodOf(localDate(new Date(), supplier.timeZone))
      const from = query.from ?? addMonths(to, -11)
      const months = monthsBetween(from, to)
      if (months < 1) throw new UnprocessableError('period_range_invalid', '`from` is after `to`.')
      if (months > MAX_STATEMENT_MONTHS) {
        throw new UnprocessableError('period_range_invalid', `A statement covers at most ${MAX_STATEMENT_MONTHS} periods.`)
      }
      const fromDate = `${from}-01`
      const toDate = `${to}-01`
      const tz = supplier.timeZone
      const periods = await app.prisma.$queryRaw<
        { period: string; opening: string; charges: string; payments: string; closing: string; allCharges: string; allPayments: string }[]
      >`
        WITH months AS (
          SELECT to_char(m, 'YYYY-MM') AS period, m::date AS first_day
          FROM generate_series(${fromDate}::date, ${toDate}::date, interval '1 month') AS m),
        charged AS (
          SELECT period AS first_day, sum(amount) AS total FROM charge
          WHERE "accountId" = ${account.id}::uuid AND period BETWEEN ${fromDate}::date AND ${toDate}::date GROUP BY period),
        paid AS (
          SELECT date_trunc('month', "paidAt" AT TIME ZONE ${tz})::date AS first_day, sum(amount) AS total FROM payment
          WHERE "accountId" = ${account.id}::uuid AND status = 'succeeded'
            AND "paidAt" AT TIME ZONE ${tz} >= ${fromDate}::date
            AND "paidAt" AT TIME ZONE ${tz} < ${toDate}::date + interval '1 month'
          GROUP BY 1),
        start AS (
          SELECT a."openingBalance"
                 + COALESCE((SELECT sum(amount) FROM charge WHERE "accountId" = a.id AND period < ${fromDate}::date), 0)
                 - COALESCE((SELECT sum(amount) FROM payment WHERE "accountId" = a.id AND status = 'succeeded'
                               AND "paidAt" AT TIME ZONE ${tz} < ${fromDate}::date), 0) AS opening
          FROM account a WHERE a.id = ${account.id}::uuid),
        flows AS (
          SELECT m.period, COALESCE(c.total, 0) AS charges, COALESCE(p.total, 0) AS payments
          FROM months m LEFT JOIN charged c USING (first_day) LEFT JOIN paid p USING (first_day)),
        running AS (
          SELECT period, charges, payments,
                 (SELECT opening FROM start) + sum(charges - payments) OVER (ORDER BY period) AS closing
          FROM flows)
        SELECT period,
               (closing - charges + payments)::numeric(14, 2)::text AS opening,
               charges::numeric(14, 2)::text AS charges,
               payments::numeric(14, 2)::text AS payments,
               closing::numeric(14, 2)::text AS closing,
               (sum(charges) OVER ())::numeric(14, 2)::text AS "allCharges",
               (sum(payments) OVER ())::numeric(14, 2)::text AS "allPayments"
        FROM running ORDER BY period`
      const byService = await app.prisma.$queryRaw<{ period: string; service: ServiceName; amount: string }[]>`
        SELECT to_char(period, 'YYYY-MM') AS period, service::text AS service, sum(amount)::numeric(14, 2)::text AS amount
        FROM charge WHERE "accountId" = ${account.id}::uuid AND period BETWEEN ${fromDate}::date AND ${toDate}::date
        GROUP BY period, service ORDER BY period, service`
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
        openingBalance: periods[0]!.opening,
        chargesTotal: periods[0]!.allCharges,
        paymentsTotal: periods[0]!.allPayments,
        closingBalance: periods.at(-1)!.closing,
        periods: periods.map((p) => ({
          period: p.period,
          openingBalance: p.opening,
          charges: byService.filter((c) => c.period === p.period).map((c) => ({ service: c.service, amount: c.amount })),
          chargesTotal: p.charges,
          payments: p.payments,
          closingBalance: p.closing,
        })),
        generatedAt: new Date().toISOString(),
      }
      return { statement, timeZone: tz }
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
