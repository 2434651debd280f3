import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { auditContextOf } from '../audit/audit.ts'
import { Uuid, problems, ref } from '../common/schemas.ts'
import { BillingPeriodParams, BillingPeriodView, BillingRunListQuery, BillingRunPage, BillingRunStart, BillingRunView } from './run-schemas.ts'

const RunParams = Type.Object({ runId: Uuid }, { additionalProperties: false })

const billingRunRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['billing']
  const staff = { auth: { roles: ['operator', 'admin'] } } as const

  app.post(
    '/admin/billing-runs',
    {
      config: staff,
      schema: {
        operationId: 'startBillingRun',
        tags,
        summary: 'Compute the charges of a supplier’s period (a job)',
        description:
          'Answers 202 with the run; poll it. Every active account and service: metered from the period’s readings, else the average, then the normative (× the increasing coefficient after an expired verification or without a meter), recalculation when readings return, heating per m², wastewater on water volumes, priced pro rata by days across tariff changes. ' +
          'A re-run replaces the period’s computed lines. `tariff_missing` (422, with the uncovered services) when tariffs do not cover the period; `billing_run_in_progress` (409) while one is queued or running; `period_closed` (409); `period_imported` (409) when the period holds charges imported from the supplier’s own billing (the job checks again, and fails with it, if an import lands first).',
        body: ref(BillingRunStart),
        response: { 202: ref(BillingRunView, { description: 'Queued.' }), ...problems(400, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.code(202).send(await app.billingRuns.start(auditContextOf(request), request.body)),
  )

  app.get(
    '/admin/billing-runs',
    {
      config: staff,
      schema: { operationId: 'listBillingRuns', tags, summary: 'A supplier’s billing runs, newest first', querystring: BillingRunListQuery, response: { 200: ref(BillingRunPage, { description: 'A page of runs.' }), ...problems(400, 404) } },
    },
    async (request) => app.billingRuns.list(callerOf(request), request.query),
  )

  app.get(
    '/admin/billing-runs/:runId',
    { config: staff, schema: { operationId: 'getBillingRun', tags, summary: 'One billing run: status, counts and totals, problems by account, timings', params: RunParams, response: { 200: ref(BillingRunView, { description: 'The run.' }), ...problems(400, 404) } } },
    async (request) => app.billingRuns.get(callerOf(request), request.params.runId),
  )

  app.post(
    '/admin/billing-runs/:runId/close',
    {
      config: staff,
      schema: {
        operationId: 'closeBillingPeriod',
        tags,
        summary: 'Close the run’s period: its lines are never edited again',
        description:
          'Only the newest completed run of the period, not a dry one (`billing_run_not_closable`, 409); a closed period answers `period_closed` (409); 404 `billing_run_not_found`. ' +
          'The period’s receipts are then issued by a job (see GET /v1/admin/billing-periods/{supplierId}/{period}), so requisites a receipt’s QR cannot carry refuse the close: 422 `supplier_requisites_incomplete` or `qr_mandatory_block_too_long`, with `fields`. Audited.',
        params: RunParams,
        response: { 200: ref(BillingRunView, { description: 'The run, its period closed.' }), ...problems(400, 404, 409, 422) },
      },
    },
    async (request) => app.billingRuns.close(auditContextOf(request), request.params.runId),
  )

  app.get(
    '/admin/billing-periods/:supplierId/:period',
    {
      config: staff,
      schema: {
        operationId: 'getBillingPeriod',
        tags,
        summary: 'A supplier’s period: open or closed, and how many receipts were issued',
        description: 'Errors: 400 `validation_failed`, 404 `supplier_not_found`.',
        params: BillingPeriodParams,
        response: { 200: ref(BillingPeriodView, { description: 'The period.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.billingRuns.period(callerOf(request), request.params.supplierId, request.params.period),
  )

  app.post(
    '/admin/billing-periods/:supplierId/:period/publish',
    {
      config: staff,
      schema: {
        operationId: 'publishImportedPeriod',
        tags,
        summary: 'Publish a period of imported charges: close it and issue its receipts',
        description:
          'For suppliers whose charges come from their own billing (imports of kind `charges`). The period closes (later imports of it are refused) and a job issues its receipts. ' +
          'Errors: 404 `supplier_not_found`; 409 `period_closed`; 409 `period_not_imported` (no imported charges: computed periods close through their run); ' +
          '422 `supplier_requisites_incomplete` or `qr_mandatory_block_too_long` (the requisites cannot go on a receipt’s QR; `fields` names them). Audited.',
        params: BillingPeriodParams,
        response: { 200: ref(BillingPeriodView, { description: 'The period, closed; its receipts are being issued.' }), ...problems(400, 404, 409, 422) },
      },
    },
    async (request) => app.billingRuns.publish(auditContextOf(request), request.params.supplierId, request.params.period),
  )
}

export default billingRunRoutes
