import { Readable, Transform, pipeline } from 'node:stream'
import { createInterface } from 'node:readline'
import iconv from 'iconv-lite'
import { DomainError } from '../common/errors.ts'
import { CsvReader, CsvSyntaxError, type CsvRecord } from './csv.ts'

/**
 * Readers of uploaded register files, all streaming: a record at a time, with its line number,
 * whatever the size of the file. CSV may be UTF-8 or Windows-1251 and `;`- or `,`-separated
 * (both found from the file unless the upload says); NDJSON is one JSON object per line.
 */
export interface SourceRecord {
  line: number
  /** Column name → value (CSV: from the header; JSON: the object's own keys). */
  values: Record<string, unknown>
}

export type Encoding = 'utf-8' | 'windows-1251'

export class ImportFileError extends DomainError {
  constructor(code: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(422, code, 'Unusable import file', detail, extensions)
  }
}

/** Stops an upload past `maxBytes` with 413, before it fills the disk or the database. */
export function limitBytes(source: Readable, maxBytes: number): Readable {
  let seen = 0
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length
      if (seen > maxBytes) callback(new DomainError(413, 'payload_too_large', 'Payload too large', `The file is larger than ${maxBytes} bytes.`))
      else callback(null, chunk)
    },
  })
  pipeline(source, limiter, () => {})
  return limiter
}

/** Valid UTF-8 is read as such; anything else as Windows-1251, what Russian billing exports use. */
export function sniffEncoding(head: Buffer): Encoding {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true })
    return 'utf-8'
  } catch {
    return 'windows-1251'
  }
}

/** The separator of the header line: the one of `;` and `,` it has more of (outside quotes). */
export function sniffDelimiter(headerLine: string): ';' | ',' {
  const unquoted = headerLine.replace(/"[^"]*"/g, '')
  return (unquoted.match(/;/g)?.length ?? 0) >= (unquoted.match(/,/g)?.length ?? 0) && unquoted.includes(';') ? ';' : ','
}

/** Reads from the start of a stream until the first line break (or 64 KiB), keeping every byte. */
async function peekHead(source: AsyncIterator<Buffer>): Promise<{ head: Buffer; chunks: Buffer[]; done: boolean }> {
  const chunks: Buffer[] = []
  let size = 0
  for (;;) {
    const next = await source.next()
    if (next.done) return { head: Buffer.concat(chunks), chunks, done: true }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value)
    chunks.push(chunk)
    size += chunk.length
    if (chunk.includes(0x0a) || size >= 65_536) return { head: Buffer.concat(chunks), chunks, done: false }
  }
}

function replay(chunks: Buffer[], rest: AsyncIterator<Buffer>, done: boolean): Readable {
  return Readable.from(
    (async function* () {
      yield* chunks
      if (done) return
      for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value
    })(),
  )
}

export async function* csvRecords(body: Readable, options: { encoding?: Encoding; delimiter?: ';' | ',' } = {}): AsyncGenerator<SourceRecord | { header: string[] }> {
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const { head, chunks, done } = await peekHead(source)
  if (head.length === 0) throw new ImportFileError('import_file_empty', 'The file is empty.')
  const encoding = options.encoding ?? sniffEncoding(head)
  const firstLine = iconv.decode(head, encoding).replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? ''
  const delimiter = options.delimiter ?? sniffDelimiter(firstLine)
  const decoded = iconv.decodeStream(encoding)
  // pipeline, not pipe: a failure anywhere (a byte limit, a broken connection) ends the decoder,
  // and so the loop below, with that error.
  pipeline(replay(chunks, source, done), decoded, () => {})
  const reader = new CsvReader(delimiter)
  let header: string[] | null = null
  function* emit(records: Iterable<CsvRecord>): Generator<SourceRecord | { header: string[] }> {
    for (const { fields, line } of records) {
      if (!header) {
        header = fields
        yield { header }
        continue
      }
      const values: Record<string, unknown> = {}
      header.forEach((name, i) => (values[name] = fields[i]))
      yield { line, values }
    }
  }
  try {
    for await (const chunk of decoded as AsyncIterable<string>) yield* emit(reader.push(chunk))
    yield* emit(reader.end())
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ImportFileError('csv_invalid', error.message)
    throw error
  }
}

export async function* ndjsonRecords(body: Readable): AsyncGenerator<SourceRecord> {
  let line = 0
  for await (const text of createInterface({ input: body.setEncoding('utf8'), crlfDelay: Infinity })) {
    line++
    const trimmed = text.trim()
    if (!trimmed) continue
    let values: unknown
    try {
      values = JSON.parse(trimmed)
    } catch {
      values = null
    }
    yield { line, values: values !== null && typeof values === 'object' && !Array.isArray(values) ? (values as Record<string, unknown>) : { __invalid: true } }
  }
}

export async function* jsonRecords(items: unknown[]): AsyncGenerator<SourceRecord> {
  let line = 0
  for (const item of items) {
    line++
    yield { line, values: item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : { __invalid: true } }
  }
}
