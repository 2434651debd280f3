import { randomBytes } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { localDate } from '../accounts/meters.ts'
import { AccountParams } from '../accounts/schemas.ts'
import { callerOf } from '../access/guard.ts'
import { holderName } from '../accounts/holder-name.ts'
import { problems, ref } from '../common/schemas.ts'
import { balances } from '../ledger/service.ts'
import { Statement, StatementQuery } from './schemas.ts'
import { debtCertificatePdf, statementPdf } from './documents.ts'
import { PDF_CONTENT as pdf, wantsPdf } from '../documents/pdf-response.ts'

const statementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['accounts']
  const anyone = { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } } as const

  app.get(
    '/accounts/:accountId/statement',
    {
      config: anyone,
      schema: {
        operationId: 'getAccountStatement',
        tags,
        summary: 'Statement of account: opening balance, charges by service, payments and closing balance per period',
        description: 'JSON by default; `Accept: application/pdf` gives the same statement as a PDF document.',
        params: AccountParams,
        querystring: StatementQuery,
        response: {
          200: {
            description: 'The statement.',
            content: { 'application/json': { schema: ref(Statement) }, ...pdf },
          },
          ...problems(400, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const { statement, timeZone } = await app.statements.statement(callerOf(request), request.params.accountId, request.query)
      if (!wantsPdf(request)) return statement
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="statement-${statement.account.number}-${statement.from}-${statement.to}.pdf"`)
        .send(await statementPdf(statement, timeZone))
    },
  )

  app.get(
    '/accounts/:accountId/debt-certificate',
    {
      config: anyone,
      schema: {
        operationId: 'getDebtCertificate',
        tags,
        summary: 'A PDF certificate of the current debt, or of no debt',
        description: "With the supplier's requisites, the date (supplier local time), account, holder and amount.",
        params: AccountParams,
        response: { 200: { description: 'The certificate.', content: pdf }, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const account = await app.accounts.findVisible(callerOf(request), request.params.accountId)
      const balance = (await balances(app.db, [account.id])).get(account.id)!
      const at = app.config.clock.now()
      const number = `${localDate(at, account.supplier.timeZone).replace(/-/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`
      const document = await debtCertificatePdf({
        number,
        supplier: account.supplier,
        account: { number: account.number, address: account.address, holder: holderName(account) },
        balance: balance.balance,
        pendingPayments: balance.pendingPayments,
        at,
      })
      return reply.type('application/pdf').header('content-disposition', `inline; filename="debt-certificate-${account.number}.pdf"`).send(document)
    },
  )
}

export default statementRoutes
