import { auditContextOf } from '../audit/audit.ts'
import type { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { Uuid, problems, ref } from '../common/schemas.ts'
import { limitBytes } from '../imports/sources.ts'
import { MissingCreated, Reconciliation, ReconciliationLineQuery, ReconciliationLinePage, ReconciliationStart } from './reconciliation-schemas.ts'

/** A day's registry of one bank for one supplier: tens of thousands of lines at most. */
const REGISTRY_MAX_BYTES = 50 * 1024 * 1024
const Params = Type.Object({ reconciliationId: Uuid }, { additionalProperties: false })

/** Operators compare a bank's daily registry with what we hold, and record what we lack. */
const reconciliationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['payments']
  const staff = { auth: { roles: ['operator', 'admin'] } } as const
  // The registry reaches the handler as the request stream, read a line at a time.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload))

  app.post(
    '/admin/payment-reconciliations',
    {
      config: staff,
      bodyLimit: REGISTRY_MAX_BYTES,
      schema: {
        operationId: 'reconcilePayments',
        tags,
        summary: 'Compare a bank’s daily payment registry with the payments we hold from that bank',
        description:
          'CSV (UTF-8 or Windows-1251, `;` or `,`, found from the file unless given) with the payment import’s columns: ' +
          'account_number, payment_id, amount, paid_at (Russian names accepted). Each line is matched, mismatched (same id, ' +
          'other account or amount), missing (we never recorded it) or rejected (unreadable, or no such account); our ' +
          'payments from the bank dated on `date` that no line names are extra. Refusals: supplier_not_found (404), ' +
          'import_columns_missing, import_file_empty, csv_invalid (422), payload_too_large (413).',
        querystring: ReconciliationStart,
        body: { content: { 'text/csv': { schema: { description: 'The registry, with a header row.' } } } },
        response: { 201: ref(Reconciliation, { description: 'The comparison, stored; its lines at /lines.' }), ...problems(400, 404, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { encoding, delimiter } = request.query
      const stream = limitBytes(request.body as Readable, REGISTRY_MAX_BYTES)
      const report = await app.reconciliations.reconcile(callerOf(request), request.query, { stream, encoding, delimiter }, auditContextOf(request))
      return reply.code(201).header('location', `/v1/admin/payment-reconciliations/${report.id}`).send(report)
    },
  )

  app.get(
    '/admin/payment-reconciliations/:reconciliationId',
    {
      config: staff,
      schema: {
        operationId: 'getPaymentReconciliation',
        tags,
        summary: 'A reconciliation’s counts',
        description: 'Refusals: reconciliation_not_found.',
        params: Params,
        response: { 200: ref(Reconciliation, { description: 'The reconciliation.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.reconciliations.get(callerOf(request), request.params.reconciliationId),
  )

  app.get(
    '/admin/payment-reconciliations/:reconciliationId/lines',
    {
      config: staff,
      schema: {
        operationId: 'listPaymentReconciliationLines',
        tags,
        summary: 'A reconciliation’s lines, by kind',
        params: Params,
        querystring: ReconciliationLineQuery,
        response: { 200: ref(ReconciliationLinePage, { description: 'A page of lines.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.reconciliations.lines(callerOf(request), request.params.reconciliationId, request.query),
  )

  app.post(
    '/admin/payment-reconciliations/:reconciliationId/create-missing',
    {
      config: staff,
      schema: {
        operationId: 'createMissingPayments',
        tags,
        summary: 'Record the payments the registry lists and we lack',
        description: 'In one transaction, settled as the bank’s, placed on receipts at once. Again: creates nothing. Refusals: reconciliation_not_found, nothing_missing (422).',
        params: Params,
        response: { 200: ref(MissingCreated, { description: 'Recorded.' }), ...problems(400, 404, 422) },
      },
    },
    async (request) => app.reconciliations.createMissing(callerOf(request), request.params.reconciliationId, auditContextOf(request)),
  )
}

export default reconciliationRoutes
