import { Type, type Static } from 'typebox'
import { Page, Uuid } from '../common/schemas.ts'

export const ImportJobInfo = Type.Object(
  {
    id: Uuid,
    supplierId: Uuid,
    kind: Type.Enum(['accounts', 'meters']),
    format: Type.Enum(['csv', 'ndjson', 'json']),
    status: Type.Enum(['receiving', 'merging', 'completed', 'failed'], {
      description: 'merging: the file was received and checked; its rows are being written. Poll until completed or failed.',
    }),
    totalRows: Type.Integer({ description: 'Data rows in the file.' }),
    insertedRows: Type.Integer(),
    updatedRows: Type.Integer(),
    unchangedRows: Type.Integer({ description: 'Rows identical to the register: a repeated import changes nothing.' }),
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
        'missing_field, account_number_invalid, service_unknown, service_not_supplied, residents_invalid, area_invalid, ' +
        'balance_invalid, zones_invalid, digit_capacity_invalid, date_invalid, too_long, row_invalid, duplicate_in_file, account_not_found',
    }),
    detail: Type.String(),
  },
  { $id: 'ImportRejection', additionalProperties: false },
)

export const ImportRejectionPage = Page(ImportRejection)

export const importSchemas = [ImportJobInfo, ImportRejection, ImportRejectionPage]
