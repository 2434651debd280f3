import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AccountParams } from '../accounts/schemas.ts'
import { callerOf } from '../access/guard.ts'
import { problems, ref } from '../common/schemas.ts'
import { Statement, StatementQuery } from './schemas.ts'
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
        .send(await app.renderPdf({ kind: 'statement', statement, timeZone }))
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
        description: "With the supplier's requisites, the date (supplier local time), account, holder and amount, the penalties charged so far and the last receipt issued.",
        params: AccountParams,
        response: { 200: { description: 'The certificate.', content: pdf }, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const certificate = await app.statements.debtCertificate(callerOf(request), request.params.accountId)
      const document = await app.renderPdf({ kind: 'debt-certificate', certificate })
      return reply.type('application/pdf').header('content-disposition', `inline; filename="debt-certificate-${certificate.account.number}.pdf"`).send(document)
    },
  )
}

export default statementRoutes
