import { auditContextOf } from '../audit/audit.ts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { BadRequestError } from '../common/errors.ts'
import { PageQuery, Uuid, problems, ref } from '../common/schemas.ts'
import type { ImportJob } from '../generated/prisma/client.ts'
import { ImportJobInfo, ImportKindName, ImportRejectionPage, type ImportJobInfo as ImportJobBody } from './schemas.ts'
import type { ImportUpload } from './service.ts'
import { limitBytes, type Encoding } from './sources.ts'

function jobOf(job: ImportJob): ImportJobBody {
  return {
    id: job.id,
    supplierId: job.supplierId,
    kind: job.kind,
    format: job.format as ImportJobBody['format'],
    status: job.status,
    totalRows: job.totalRows,
    insertedRows: job.insertedRows,
    updatedRows: job.updatedRows,
    unchangedRows: job.unchangedRows,
    deletedRows: job.deletedRows,
    rejectedRows: job.rejectedRows,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  }
}

function charsetOf(contentType: string | undefined): Encoding | undefined {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase()
  if (!charset) return undefined
  if (['utf-8', 'utf8'].includes(charset)) return 'utf-8'
  if (['windows-1251', 'cp1251', 'win1251'].includes(charset)) return 'windows-1251'
  throw new BadRequestError('charset_unsupported', `Charset ${charset} is not supported; use utf-8 or windows-1251.`)
}

const staff = { auth: { roles: ['operator', 'admin'] } } as const

const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { maxBytes, jsonMaxBytes } = app.config.imports
  // CSV and NDJSON reach the handler as the raw request stream: never the whole file in memory.
  app.addContentTypeParser(['text/csv', 'application/x-ndjson'], (_request, payload, done) => done(null, payload))
  // Only the three formats above: anything else (text/plain included) is 415.
  app.removeContentTypeParser('text/plain')
  const tags = ['admin']

  app.post(
    '/admin/suppliers/:supplierId/imports/:kind',
    {
      config: staff,
      bodyLimit: jsonMaxBytes,
      schema: {
        operationId: 'importRegister',
        tags,
        summary: "Import the supplier's register: accounts, meters, charges or payments (CSV, NDJSON or JSON)",
        description:
          'CSV: UTF-8 or Windows-1251 (from `charset`, `?encoding=` or the bytes), `;` or `,` separated (from the header), ' +
          'a header row naming the columns (accounts: number, address, holder_surname, holder_given_names, residents, area, ' +
          'services, opening_balance, access_code (optional: the code printed on the supplier’s own receipts); meters: account_number, service, serial_number, zones, digit_capacity, installed_at, ' +
          'verification_due_at; charges: account_number, period, service, kind, quantity, unit, tariff, coefficient, amount, ' +
          'line_id; payments: account_number, payment_id, amount, paid_at, method; Russian names accepted). NDJSON: one ' +
          'object per line with the same fields. JSON: an array of them (at most IMPORT_JSON_MAX_BYTES). Rows are upserted ' +
          'by account number (meters: account, service, serial; charges: the line id; payments: the payment id); importing ' +
          'the same file twice changes nothing. Charges replace the imported lines of each period in the file, a period ' +
          'whole or not at all; payments are never changed or deleted by an import. Answers 202 with the job once the file ' +
          'is received and checked; poll the job until it is completed.',
        params: Type.Object({ supplierId: Uuid, kind: ImportKindName }, { additionalProperties: false }),
        querystring: Type.Object(
          {
            encoding: Type.Optional(Type.Enum(['utf-8', 'windows-1251'])),
            delimiter: Type.Optional(Type.Enum([';', ','])),
          },
          { additionalProperties: false },
        ),
        body: {
          content: {
            'text/csv': { schema: { description: 'CSV with a header row.' } },
            'application/x-ndjson': { schema: { description: 'One JSON object per line.' } },
            'application/json': { schema: Type.Array(Type.Object({}, { additionalProperties: true })) },
          },
        },
        response: {
          202: ref(ImportJobInfo, { description: 'Received and checked; being merged. Location: the job.' }),
          ...problems(400, 404, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const contentType = request.headers['content-type'] ?? ''
      const { supplierId, kind } = request.params
      let upload: ImportUpload
      if (contentType.startsWith('application/json')) {
        upload = { format: 'json', items: request.body as unknown[] }
      } else if (contentType.startsWith('text/csv')) {
        const stream = limitBytes(request.body as Readable, maxBytes)
        upload = { format: 'csv', stream, encoding: request.query.encoding ?? charsetOf(contentType), delimiter: request.query.delimiter }
      } else {
        upload = { format: 'ndjson', stream: limitBytes(request.body as Readable, maxBytes) }
      }
      const job = await app.imports.start(callerOf(request), supplierId, kind, upload, auditContextOf(request))
      return reply.code(202).header('location', `/v1/admin/imports/${job.id}`).send(jobOf(job))
    },
  )

  app.get(
    '/admin/imports/:importId',
    {
      config: staff,
      schema: {
        operationId: 'getImport',
        tags,
        summary: 'An import job: status and counts',
        params: Type.Object({ importId: Uuid }, { additionalProperties: false }),
        response: { 200: ref(ImportJobInfo, { description: 'The job.' }), ...problems(400, 404) },
      },
    },
    async (request) => jobOf(await app.imports.find(callerOf(request), request.params.importId)),
  )

  app.get(
    '/admin/imports/:importId/rejections',
    {
      config: staff,
      schema: {
        operationId: 'listImportRejections',
        tags,
        summary: 'The rows an import rejected, by line, with reason codes',
        params: Type.Object({ importId: Uuid }, { additionalProperties: false }),
        querystring: PageQuery,
        response: { 200: ref(ImportRejectionPage, { description: 'A page of rejections.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.imports.rejections(callerOf(request), request.params.importId, request.query),
  )
}

export default importRoutes
