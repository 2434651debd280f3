import { Type, type Static } from 'typebox'
import { Page, Uuid } from '../common/schemas.ts'

export const ImportKindName = Type.Enum(['accounts', 'meters', 'charges', 'payments'])

export const ImportJobInfo = Type.Object(
  {
    id: Uuid,
    supplierId: Uuid,
    kind: ImportKindName,
    format: Type.Enum(['csv', 'ndjson', 'json']),
    status: Type.Enum(['receiving', 'merging', 'completed', 'failed'], {
      description: 'merging: the file was received and checked; its rows are being written. Poll until completed or failed.',
    }),
    totalRows: Type.Integer({ description: 'Data rows in the file.' }),
    insertedRows: Type.Integer(),
    updatedRows: Type.Integer(),
    unchangedRows: Type.Integer({ description: 'Rows identical to the register: a repeated import changes nothing.' }),
    deletedRows: Type.Integer({
      description: "Charges: imported lines of the file's periods that the file no longer has, deleted. Always 0 for the other kinds.",
    }),
    rejectedRows: Type.Integer({ description: 'See the rejections: line numbers and reason codes.' }),
    error: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'ImportJob', additionalProperties: false },
)
export type ImportJobInfo = Static<typeof ImportJobInfo>

export const ImportRejection = Type.Object(
  {
    line: Type.Integer({ description: 'Line of the file (CSV and NDJSON), or item number (JSON array), from 1.' }),
    code: Type.String({
      description:
        'Every kind: missing_field, account_number_invalid, too_long, row_invalid (not a JSON object), duplicate_in_file, ' +
        'account_not_found (meters, charges, payments). Accounts: service_unknown, service_not_supplied, residents_invalid, ' +
        'area_invalid, balance_invalid. Meters: service_unknown, service_not_supplied, zones_invalid, digit_capacity_invalid, ' +
        'date_invalid. Charges: period_invalid, kind_unknown, service_unknown, service_not_supplied, quantity_invalid, ' +
        'tariff_invalid, coefficient_invalid, amount_invalid, amount_mismatch (not quantity × tariff × coefficient rounded ' +
        'half-up), penalty_invalid (a penalty line with a service, quantity, tariff or coefficient), period_closed, ' +
        'period_computed (billing runs compute the period), line_id_conflict (the line id is a line of another period), ' +
        'period_incomplete (another line of the period was rejected, so the period keeps its earlier lines). Payments: ' +
        'amount_invalid, date_invalid, payment_conflict (the payment id is recorded with another account, amount or time).',
    }),
    detail: Type.String(),
  },
  { $id: 'ImportRejection', additionalProperties: false },
)

export const ImportRejectionPage = Page(ImportRejection)

export const importSchemas = [ImportJobInfo, ImportRejection, ImportRejectionPage]
