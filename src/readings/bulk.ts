import type { Static } from 'typebox'
import { UnprocessableError } from '../common/errors.ts'
import { CsvReader, CsvSyntaxError, type CsvRecord } from '../imports/csv.ts'
import { columnKey } from '../imports/rows.ts'
import { sniffDelimiter } from '../imports/sources.ts'
import type { BulkReadings } from './schemas.ts'

export type BulkBody = Static<typeof BulkReadings>

/** One row of a bulk submission: the meter by id, or by account number and serial. */
export interface BulkRow {
  line: number
  meterId?: string
  accountNumber?: string
  serialNumber?: string
  values: Record<string, string>
  takenAt?: string
}

export const MAX_BULK_ROWS = 5000

const COLUMNS: Record<string, keyof BulkRow | 'T1' | 'T2' | 'T3'> = {
  meterid: 'meterId',
  accountnumber: 'accountNumber',
  account: 'accountNumber',
  лицевойсчет: 'accountNumber',
  serialnumber: 'serialNumber',
  serial: 'serialNumber',
  заводскойномер: 'serialNumber',
  t1: 'T1',
  t2: 'T2',
  t3: 'T3',
  value: 'T1',
  показание: 'T1',
  takenat: 'takenAt',
}

/** Reads a bulk CSV into rows (pure); an unusable header is a 422 for the whole file. */
export function csvReadingRows(text: string): BulkRow[] {
  const reader = new CsvReader(sniffDelimiter(text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? ''))
  let records: CsvRecord[]
  try {
    records = [...reader.push(text), ...reader.end()]
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new UnprocessableError('csv_invalid', error.message)
    throw error
  }
  const [header, ...data] = records
  if (!header) throw new UnprocessableError('import_file_empty', 'The file is empty.')
  const fields = header.fields.map((name) => COLUMNS[columnKey(name)] ?? null)
  const byMeterId = fields.includes('meterId')
  if (!fields.includes('T1') || (!byMeterId && !(fields.includes('accountNumber') && fields.includes('serialNumber')))) {
    throw new UnprocessableError('import_header_invalid', 'The header needs t1 and either meter_id, or account_number and serial_number.')
  }
  if (data.length > MAX_BULK_ROWS) throw new UnprocessableError('too_many_rows', `At most ${MAX_BULK_ROWS} rows at once.`)
  return data.map(({ fields: record, line }) => {
    const row: BulkRow = { line, values: {} }
    fields.forEach((field, i) => {
      const value = record[i]
      if (!field || value === undefined || value === '') return
      if (field === 'T1' || field === 'T2' || field === 'T3') row.values[field] = value
      else if (field !== 'line' && field !== 'values') row[field] = value
    })
    return row
  })
}
