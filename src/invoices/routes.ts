import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AccountParams } from '../accounts/schemas.ts'
import { callerOf } from '../access/guard.ts'
import { PageQuery, problems, ref } from '../common/schemas.ts'
import { PDF_CONTENT, wantsPdf } from '../documents/pdf-response.ts'
import { paymentQrPng, paymentQrSvg } from './qr-image.ts'
import { Invoice, InvoiceParams, InvoiceSummaryPage, PaymentQr, PaymentQrQuery } from './schemas.ts'

const invoiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['accounts']
  const anyone = { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } } as const

  app.get(
    '/accounts/:accountId/payment-qr',
    {
      config: anyone,
      schema: {
        operationId: 'getPaymentQr',
        tags,
        summary: 'A payment QR (GOST R 56042) for any amount, or for what the account owes now',
        description:
          'JSON by default; `Accept: image/png` or `image/svg+xml` gives the code as an image. Bank apps scan it to fill in the payee, the account and the sum. ' +
          'Errors: 400 `validation_failed` (amount ≤ 0 or more than two decimals, pointer `#/amount`), 404 `account_not_found`, ' +
          "422 `supplier_requisites_incomplete` or `qr_mandatory_block_too_long` (the supplier's requisites cannot go on a QR; `fields` names them), " +
          '422 `qr_no_separator` (every separator the standard allows appears in the holder’s name or address).',
        params: AccountParams,
        querystring: PaymentQrQuery,
        response: {
          200: {
            description: 'The payload, or the code as an image.',
            content: {
              'application/json': { schema: ref(PaymentQr) },
              'image/png': { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) },
              'image/svg+xml': { schema: Type.Unsafe<string>(Type.String()) },
            },
          },
          ...problems(400, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const qr = await app.invoices.paymentQr(callerOf(request), request.params.accountId, request.query.amount)
      const accept = request.headers.accept ?? ''
      if (/image\/png/i.test(accept)) return reply.type('image/png').header('cache-control', 'private, no-store').send(await paymentQrPng(qr.payload))
      if (/image\/svg\+xml/i.test(accept)) return reply.type('image/svg+xml').header('cache-control', 'private, no-store').send(await paymentQrSvg(qr.payload))
      return qr
    },
  )

  app.get(
    '/accounts/:accountId/invoices',
    {
      config: anyone,
      schema: {
        operationId: 'listInvoices',
        tags,
        summary: "The account's receipts (ЕПД), newest period first",
        description: 'Issued when a billing period closes. Errors: 400 `validation_failed` or `invalid_cursor`, 404 `account_not_found`.',
        params: AccountParams,
        querystring: PageQuery,
        response: { 200: ref(InvoiceSummaryPage), ...problems(400, 404) },
      },
    },
    async (request) => app.invoices.list(callerOf(request), request.params.accountId, request.query),
  )

  app.get(
    '/accounts/:accountId/invoices/:period',
    {
      config: anyone,
      schema: {
        operationId: 'getInvoice',
        tags,
        summary: 'One receipt as issued: lines, totals, the payee at issue and the payment QR',
        description:
          'JSON by default; `Accept: application/pdf` gives the one-page A4 receipt in Russian with the GOST R 56042 QR code. ' +
          'Errors: 400 `validation_failed` (period not YYYY-MM), 404 `account_not_found`, 404 `invoice_not_found` (no receipt was issued for the period).',
        params: InvoiceParams,
        response: {
          200: { description: 'The receipt.', content: { 'application/json': { schema: ref(Invoice) }, ...PDF_CONTENT } },
          ...problems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const { invoice, timeZone } = await app.invoices.get(callerOf(request), request.params.accountId, request.params.period)
      if (!wantsPdf(request)) return invoice
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="receipt-${invoice.account.number}-${invoice.period}.pdf"`)
        .send(await app.invoices.pdf(invoice, timeZone))
    },
  )
}

export default invoiceRoutes
