import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { localDate } from '../accounts/meters.ts'
import { periodOf, periodRange } from '../common/periods.ts'
import type { Caller } from '../access/guard.ts'
import { holderName } from '../accounts/holder-name.ts'
import { UnprocessableError } from '../common/errors.ts'
import { statementTotals } from '../ledger/service.ts'
import type { Statement, StatementQuery } from './schemas.ts'

export const MAX_STATEMENT_MONTHS = 60

/**
 * Statements of account: per period, the opening balance, charges by service, settled payments
 * and the closing balance, as the ledger reckons them; periods are the supplier's calendar months.
 */
function createStatementService(app: FastifyInstance) {
  return {
    /** The statement, and the supplier's time zone its documents are dated in. */
    async statement(caller: Caller, accountId: string, query: StatementQuery): Promise<{ statement: Statement; timeZone: string }> {
      const account = await app.accounts.findVisible(caller, accountId)
      const { supplier } = account
      // The supplier's current period by the injected clock.
      const range = periodRange(query, periodOf(localDate(app.config.clock.now(), supplier.timeZone)), MAX_STATEMENT_MONTHS)
      if ('invalid' in range) throw new UnprocessableError('period_range_invalid', range.invalid)
      const { from, to } = range
      const totals = await statementTotals(app.db, account.id, { from, to, timeZone: supplier.timeZone })
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
