import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { Period, Uuid, problems } from '../common/schemas.ts'
import type { StoredBlob } from '../storage/blob-store.ts'

const RunParams = Type.Object({ runId: Uuid }, { additionalProperties: false })
const PeriodParams = Type.Object({ supplierId: Uuid, period: Period }, { additionalProperties: false })

const PRINT_BATCH = {
  description: 'The period’s paper receipts, one A4 page each, sorted by address (numbers in order: д. 9 before д. 10).',
  content: { 'application/pdf': { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) } },
}

const ABOUT =
  'Paper receipts are those of accounts on paper delivery, and of accounts on electronic delivery that nobody with a confirmed e-mail address has linked. ' +
  'A job makes the batch after the receipts are issued and keeps it in storage; GET /v1/admin/billing-periods/{supplierId}/{period} tells when it is ready. ' +
  'Errors: 409 `print_batch_not_ready` (the period is not closed, its receipts are not issued, or the batch is still being made), 404 `print_batch_empty` (no receipt of the period goes on paper)'

function sendBatch(reply: FastifyReply, { blob, filename }: { blob: StoredBlob; filename: string }) {
  return reply.type('application/pdf').header('content-length', blob.bytes).header('content-disposition', `attachment; filename="${filename}"`).send(blob.body)
}

/** The print batch of a closed period, by its run or by the period itself (imported charges have no run). */
const printBatchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['billing']
  const staff = { auth: { roles: ['operator', 'admin'] } } as const

  app.get(
    '/admin/billing-runs/:runId/print-batch',
    {
      config: staff,
      schema: {
        operationId: 'getBillingRunPrintBatch',
        tags,
        summary: 'The closed run’s paper receipts as one PDF for the printer',
        description: `${ABOUT}, 404 \`billing_run_not_found\`.`,
        params: RunParams,
        response: { 200: PRINT_BATCH, ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => sendBatch(reply, await app.printBatches.ofRun(callerOf(request), request.params.runId)),
  )

  app.get(
    '/admin/billing-periods/:supplierId/:period/print-batch',
    {
      config: staff,
      schema: {
        operationId: 'getBillingPeriodPrintBatch',
        tags,
        summary: 'A closed period’s paper receipts as one PDF for the printer',
        description: `${ABOUT}, 404 \`supplier_not_found\`.`,
        params: PeriodParams,
        response: { 200: PRINT_BATCH, ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => sendBatch(reply, await app.printBatches.ofPeriod(callerOf(request), request.params.supplierId, request.params.period)),
  )
}

export default printBatchRoutes
