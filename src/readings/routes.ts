import { InvalidInputError } from '../common/errors.ts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { auditContextOf } from '../audit/audit.ts'
import { callerOf } from '../access/guard.ts'
import { NoContent, Uuid, problems, ref } from '../common/schemas.ts'
import {
  BulkReadingReport,
  BulkReadings,
  ReadingAccepted,
  ReadingCorrection,
  ReadingListQuery,
  ReadingPreview,
  ReadingSubmission,
  ReadingViewPage,
  ReadingWithHistory,
} from './schemas.ts'
import { csvReadingRows, type BulkBody } from './bulk.ts'

const AccountParams = Type.Object({ accountId: Uuid }, { additionalProperties: false })
const ReadingParams = Type.Object({ accountId: Uuid, readingId: Uuid }, { additionalProperties: false })

const readingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['readings']
  const anyone = { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } } as const

  app.post(
    '/accounts/:accountId/readings',
    {
      config: { ...anyone, idempotent: true },
      schema: {
        operationId: 'submitReading',
        tags,
        summary: 'Submit a meter reading',
        description:
          'Answers with the billing period the reading counts for, the consumption per zone since the previous accepted ' +
          'reading, and flags. Refusals say why, with a stable code: reading_window_closed (with the next window), ' +
          'reading_below_previous, reading_too_many_digits, reading_zones_mismatch, reading_in_future, reading_out_of_order, ' +
          'meter_verification_expired, meter_not_active, account_closed, readings_via_management_company (with where to submit). ' +
          'A second reading for the same period replaces the first. Send Idempotency-Key to retry safely.',
        params: AccountParams,
        body: ref(ReadingSubmission),
        response: { 201: ref(ReadingAccepted, { description: 'Accepted.' }), ...problems(400, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.readings.submit(auditContextOf(request), request.params.accountId, request.body)),
  )

  app.post(
    '/accounts/:accountId/readings/preview',
    {
      config: anyone,
      schema: {
        operationId: 'previewReading',
        tags,
        summary: 'The period and consumption a reading would give, without saving it',
        params: AccountParams,
        body: ref(ReadingSubmission),
        response: { 200: ref(ReadingPreview, { description: 'The preview.' }), ...problems(400, 404, 422) },
      },
    },
    async (request) => app.readings.preview(callerOf(request), request.params.accountId, request.body),
  )

  app.get(
    '/accounts/:accountId/readings',
    {
      config: anyone,
      schema: {
        operationId: 'listReadings',
        tags,
        summary: 'Reading history, newest first; every version, corrections and cancellations included',
        params: AccountParams,
        querystring: ReadingListQuery,
        response: { 200: ref(ReadingViewPage, { description: 'A page of readings.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.readings.list(callerOf(request), request.params.accountId, request.query),
  )

  app.get(
    '/accounts/:accountId/readings/:readingId',
    {
      config: anyone,
      schema: {
        operationId: 'getReading',
        tags,
        summary: 'A reading with all its versions (who changed it is kept)',
        params: ReadingParams,
        response: { 200: ref(ReadingWithHistory, { description: 'The reading.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.readings.history(callerOf(request), request.params.accountId, request.params.readingId),
  )

  app.patch(
    '/accounts/:accountId/readings/:readingId',
    {
      config: anyone,
      schema: {
        operationId: 'correctReading',
        tags,
        summary: 'Correct a reading: within its window and before billing (`reading_locked` otherwise)',
        params: ReadingParams,
        body: ref(ReadingCorrection),
        response: { 200: ref(ReadingAccepted, { description: 'The new version.' }), ...problems(400, 404, 409, 422) },
      },
    },
    async (request) => app.readings.correct(auditContextOf(request), request.params.accountId, request.params.readingId, request.body.values),
  )

  app.delete(
    '/accounts/:accountId/readings/:readingId',
    {
      config: anyone,
      schema: {
        operationId: 'cancelReading',
        tags,
        summary: 'Cancel a reading: within its window and before billing (`reading_locked` otherwise)',
        params: ReadingParams,
        response: { 204: NoContent('Cancelled (kept in the history).'), ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      await app.readings.cancel(auditContextOf(request), request.params.accountId, request.params.readingId)
      return reply.code(204).send(null)
    },
  )

  // Organizations' bulk submissions may come as CSV: a header, then account number and meter serial
  // (or meter id), T1..T3 and optionally taken_at per row; `;` or `,` separated.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: app.config.imports.jsonMaxBytes }, (_request, body, done) => done(null, body))

  app.post(
    '/accounts/readings/bulk',
    {
      config: { auth: { roles: ['organization', 'operator', 'admin'] } },
      schema: {
        operationId: 'submitReadingsInBulk',
        tags,
        summary: "Many meters' readings at once (organizations): each row checked by the same rules, with a report",
        description:
          'JSON `{ readings: [{ meterId, values, takenAt? }] }`, or CSV with columns account_number and serial_number ' +
          '(or meter_id), t1, t2, t3, taken_at. At most 5000 rows.',
        body: {
          content: {
            'application/json': { schema: ref(BulkReadings) },
            'text/csv': { schema: { description: 'CSV with a header row.' } },
          },
        },
        response: { 200: ref(BulkReadingReport, { description: 'One result per row; accepted rows are saved.' }), ...problems(400, 413, 415, 422) },
      },
    },
    async (request) => {
      if (request.body === undefined || request.body === null) {
        throw new InvalidInputError([{ in: 'body', pointer: '#', detail: 'a body is required: JSON {readings: [...]} or CSV' }])
      }
      const rows = typeof request.body === 'string' ? csvReadingRows(request.body) : (request.body as BulkBody).readings.map((row, i) => ({ line: i + 1, ...row }))
      return app.readings.bulk(auditContextOf(request), rows)
    },
  )

  app.get(
    '/admin/readings',
    {
      config: { auth: { roles: ['operator', 'admin'] } },
      schema: {
        operationId: 'listFlaggedReadings',
        tags: ['admin'],
        summary: 'Readings flagged for an operator (e.g. suspicious consumption), newest first',
        querystring: Type.Object(
          {
            flag: Type.Enum(['suspicious', 'rolled_over', 'outside_window']),
            supplierId: Type.Optional(Uuid),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(ReadingViewPage, { description: 'A page of readings.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.readings.flagged(callerOf(request), request.query),
  )
}

export default readingRoutes
