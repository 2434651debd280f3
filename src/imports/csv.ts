/**
 * A streaming CSV reader (RFC 4180 with a chosen delimiter): text goes in a chunk at a time,
 * records come out with the line they end on. Lines without quotes take a fast path (a split);
 * quoted fields, doubled quotes and line breaks inside quotes are handled in full. Pure.
 */
export interface CsvRecord {
  fields: string[]
  /** The physical line (from 1) the record ends on. */
  line: number
}

export class CsvSyntaxError extends Error {}

const MAX_RECORD_CHARS = 65_536

function parseQuoted(text: string, delimiter: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += c
    } else if (c === '"') quoted = true
    else if (c === delimiter) {
      fields.push(field)
      field = ''
    } else field += c
  }
  fields.push(field)
  return fields
}

function countQuotes(text: string): number {
  let n = 0
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++
  return n
}

export class CsvReader {
  private rest = ''
  private pending: string | null = null
  private pendingQuotes = 0
  private line = 0
  private started = false

  constructor(private readonly delimiter: string) {}

  private record(text: string): CsvRecord | null {
    const fields = text.includes('"') ? parseQuoted(text, this.delimiter) : text.split(this.delimiter)
    if (fields.length === 1 && fields[0]!.trim() === '') return null
    return { fields: fields.map((f) => f.trim()), line: this.line }
  }

  /** Consumes one physical line; returns a record when one is complete. */
  private take(raw: string): CsvRecord | null {
    this.line++
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (this.pending !== null) {
      this.pending += `\n${text}`
      this.pendingQuotes += countQuotes(text)
    } else {
      const quotes = countQuotes(text)
      if (quotes % 2 === 0) return this.record(text)
      this.pending = text
      this.pendingQuotes = quotes
    }
    if (this.pendingQuotes % 2 === 0) {
      const whole = this.pending
      this.pending = null
      return this.record(whole)
    }
    if (this.pending.length > MAX_RECORD_CHARS) throw new CsvSyntaxError(`An unterminated quoted field starts before line ${this.line}.`)
    return null
  }

  *push(chunk: string): Generator<CsvRecord> {
    let text = this.rest + chunk
    if (!this.started) {
      this.started = true
      text = text.replace(/^\uFEFF/, '')
    }
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const record = this.take(text.slice(start, end))
      if (record) yield record
      start = end + 1
    }
    this.rest = text.slice(start)
  }

  *end(): Generator<CsvRecord> {
    if (this.rest !== '') {
      const record = this.take(this.rest)
      this.rest = ''
      if (record) yield record
    }
    if (this.pending !== null) throw new CsvSyntaxError(`An unterminated quoted field starts before line ${this.line}.`)
  }
}
