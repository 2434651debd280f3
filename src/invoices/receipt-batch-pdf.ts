import { on } from 'node:events'
import type { MessagePort } from 'node:worker_threads'
import { createPdf, keepMemoryFlat, type PdfInfo } from '../documents/pdf.ts'
import { paymentQrPrintPng } from './qr-image.ts'
import { drawReceipt, type ReceiptDocument } from './receipt-pdf.ts'

const MESSAGE_BYTES = 64 * 1024

/** What the job sends the render thread: receipts to draw next, then the end. */
export type BatchRequest = { receipts: ReceiptDocument[] } | { end: true }
/** What the render thread sends back: the PDF's bytes as they are made, each request's receipts drawn, the end. */
export type BatchReply = { chunk: Uint8Array } | { drawn: number } | { done: true; pages: number } | { failed: string }

/**
 * Draws receipts, one after another, into one PDF whose bytes leave through `port` as they are
 * made. The job sends the next receipts only when it has been told the last ones are drawn and
 * the storage has taken the bytes so far: neither side ever holds more than one request's pages.
 */
export async function drawReceiptBatch(port: MessagePort, info: PdfInfo): Promise<void> {
  const doc = createPdf(info)
  keepMemoryFlat(doc)
  let pages = 1
  doc.on('pageAdded', () => {
    pages += 1
  })
  // PDFKit writes in small pieces (the cross-reference table at the end is one line of 20 bytes
  // per object: 600,000 of them for 100,000 pages): they leave in messages of 64 KiB or more.
  let pending: Buffer[] = []
  let pendingBytes = 0
  const flush = () => {
    if (pendingBytes === 0) return
    // One buffer of its own (PDFKit's pieces may share a larger one), handed over without a copy.
    const bytes = new Uint8Array(pendingBytes)
    let offset = 0
    for (const piece of pending) {
      bytes.set(piece, offset)
      offset += piece.length
    }
    pending = []
    pendingBytes = 0
    port.postMessage({ chunk: bytes } satisfies BatchReply, [bytes.buffer])
  }
  doc.on('data', (chunk: Buffer) => {
    pending.push(chunk)
    pendingBytes += chunk.length
    if (pendingBytes >= MESSAGE_BYTES) flush()
  })
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve)
    doc.on('error', reject)
  })
  try {
    let drawn = 0
    // The job closing its side ends the wait (and the document) if it gives up early.
    for await (const [request] of on(port, 'message', { close: ['close'] }) as AsyncIterable<[BatchRequest]>) {
      if ('end' in request) break
      for (const receipt of request.receipts) {
        if (drawn > 0) doc.addPage()
        drawReceipt(doc, receipt, paymentQrPrintPng(receipt.qrPayload))
        drawn += 1
      }
      flush()
      port.postMessage({ drawn } satisfies BatchReply)
    }
    doc.end()
    await ended
    flush()
    port.postMessage({ done: true, pages } satisfies BatchReply)
  } catch (error) {
    port.postMessage({ failed: error instanceof Error ? error.message : String(error) } satisfies BatchReply)
  } finally {
    port.close()
  }
}
