import { createRequire } from 'node:module'
import path from 'node:path'
import PDFDocument from 'pdfkit'

// DejaVu Sans has Cyrillic glyphs and ships through npm; the PDF embeds the subset it uses.
const fontsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf')
const REGULAR = path.join(fontsDir, 'DejaVuSans.ttf')
const BOLD = path.join(fontsDir, 'DejaVuSans-Bold.ttf')

export type Pdf = PDFKit.PDFDocument

export interface PdfInfo {
  title: string
  subject?: string
}

/** An A4 document with the Cyrillic fonts registered, not yet ended: its bytes come out as a stream. */
export function createPdf(info: PdfInfo): Pdf {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: info.title, Subject: info.subject ?? info.title, Producer: 'Abonent' } })
  doc.registerFont('regular', REGULAR)
  doc.registerFont('bold', BOLD)
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
