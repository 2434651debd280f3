import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import PDFDocument from 'pdfkit'

// DejaVu Sans has Cyrillic glyphs and ships through npm; the PDF embeds the subset it uses.
const fontsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf')
const FONT_FILES = { regular: path.join(fontsDir, 'DejaVuSans.ttf'), bold: path.join(fontsDir, 'DejaVuSans-Bold.ttf') } as const
type FontName = keyof typeof FONT_FILES

export type Pdf = PDFKit.PDFDocument

export interface PdfInfo {
  title: string
  subject?: string
}

/** What of PDFKit's internals the shared fonts use (PDFKit 0.17; a test draws documents with them). */
interface FontInternals {
  _font: { font: unknown; constructor: new (doc: Pdf, font: unknown, id: string) => unknown }
  _fontFamilies: Record<string, unknown>
  _registeredFonts: Record<string, { src: unknown; family?: string }>
  _fontCount: number
}

/**
 * Parsing DejaVu's tables costs a document more than drawing a receipt (~20 ms of ~30), and
 * PDFKit parses them again for every document. So each thread parses each font once and every
 * later document wraps the parsed font in its own embedding (subset, widths), as PDFKit would,
 * sharing the words already laid out (PDFKit's layout cache depends on the font and text only).
 */
let parsed: { fonts: Record<FontName, unknown>; EmbeddedFont: FontInternals['_font']['constructor'] } | null = null
const fontBytes = Object.fromEntries(Object.entries(FONT_FILES).map(([name, file]) => [name, readFileSync(file)])) as Record<FontName, Buffer>

function useFonts(doc: Pdf): void {
  const internals = doc as unknown as FontInternals
  if (!parsed) {
    const fonts = {} as Record<FontName, unknown>
    for (const name of Object.keys(FONT_FILES) as FontName[]) {
      doc.registerFont(name, fontBytes[name])
      doc.font(name)
      fonts[name] = internals._font.font
    }
    parsed = { fonts, EmbeddedFont: internals._font.constructor }
    return
  }
  for (const name of Object.keys(FONT_FILES) as FontName[]) {
    internals._registeredFonts[name] = { src: fontBytes[name] }
    const font = new parsed.EmbeddedFont(doc, parsed.fonts[name], `F${++internals._fontCount}`) as { layoutCache?: object }
    // Words laid out (shaped) for one document serve the next: labels and headings repeat.
    layouts[name] = bounded(layouts[name])
    font.layoutCache = layouts[name]
    internals._fontFamilies[name] = font
  }
}

const layouts: Record<FontName, object> = { regular: Object.create(null) as object, bold: Object.create(null) as object }

interface PageInternals {
  dictionary: { data: object }
  resources: { data: object }
  content: { data: object }
}

/**
 * For documents of many pages (the print batch): PDFKit keeps every written page's dictionaries,
 * and every word it has laid out, until the document ends. Called after each page, this drops
 * what is already written (the page tree needs only the references' numbers), and the laid-out
 * words once there are many (they are laid out again when needed).
 */
export function keepMemoryFlat(doc: Pdf): void {
  let previous = doc.page as unknown as PageInternals
  doc.on('pageAdded', () => {
    // PDFKit has written the previous page (dictionary, resources, content) by now.
    previous.dictionary.data = {}
    previous.resources.data = {}
    previous.content.data = {}
    previous = doc.page as unknown as PageInternals
    for (const font of Object.values((doc as unknown as FontInternals)._fontFamilies) as { layoutCache?: object }[]) {
      if (font.layoutCache) font.layoutCache = bounded(font.layoutCache)
    }
  })
}

const LAYOUT_CACHE_WORDS = 2000

/** A layout cache, or a fresh one once it holds more than LAYOUT_CACHE_WORDS words. */
function bounded(cache: object): object {
  return Object.keys(cache).length > LAYOUT_CACHE_WORDS ? (Object.create(null) as object) : cache
}

/** An A4 document with the Cyrillic fonts registered, not yet ended: its bytes come out as a stream. */
export function createPdf(info: PdfInfo): Pdf {
  // No default font: PDFKit would parse Helvetica's metrics for every document, unused.
  const doc = new PDFDocument({ size: 'A4', margin: 50, font: '', info: { Title: info.title, Subject: info.subject ?? info.title, Producer: 'Abonent' } })
  useFonts(doc)
  doc.font('regular').fontSize(10)
  return doc
}

/** Builds an A4 PDF with the Cyrillic fonts registered, and returns its bytes. */
export async function renderPdf(info: PdfInfo, draw: (doc: Pdf) => void): Promise<Buffer> {
  const doc = createPdf(info)
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve)
    doc.on('error', reject)
  })
  draw(doc)
  doc.end()
  await done
  return Buffer.concat(chunks)
}

export function heading(doc: Pdf, text: string): void {
  doc.font('bold').fontSize(14).text(text, { align: 'center' }).moveDown(0.8).font('regular').fontSize(10)
}

/** A bold label and its value on one line; `width` keeps it clear of something drawn beside it. */
export function field(doc: Pdf, label: string, value: string, options: { width?: number } = {}): void {
  doc.font('bold').text(`${label}: `, { continued: true, ...options }).font('regular').text(value, options)
}

/** A simple table: fixed column widths, a bold header, rows that start a new page when needed. */
export function table(doc: Pdf, columns: { title: string; width: number; align?: 'left' | 'right' }[], rows: string[][]): void {
  const left = doc.page.margins.left
  const drawRow = (cells: string[], bold: boolean) => {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 30) doc.addPage()
    const top = doc.y
    let x = left
    doc.font(bold ? 'bold' : 'regular').fontSize(9)
    let height = 0
    cells.forEach((cell, i) => {
      const column = columns[i]!
      doc.text(cell, x + 2, top, { width: column.width - 4, align: column.align ?? 'left' })
      height = Math.max(height, doc.y - top)
      x += column.width
    })
    doc.y = top + height + 4
    doc.moveTo(left, doc.y - 2).lineTo(x, doc.y - 2).lineWidth(0.3).strokeColor('#999').stroke()
  }
  drawRow(columns.map((c) => c.title), true)
  for (const row of rows) drawRow(row, false)
  doc.x = left
  doc.font('regular').fontSize(10).moveDown(0.5)
}
