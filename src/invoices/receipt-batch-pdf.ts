import { on } from 'node:events'
import type { MessagePort } from 'node:worker_threads'
import { createPdf, keepMemoryFlat, type PdfInfo } from '../documents/pdf.ts'
import { paymentQrPrintPng } from './qr-image.ts'
import { drawReceipt, type ReceiptDocument } from './receipt-pdf.ts'

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
  doc.on('data', (chunk: Buffer) => {
    // A copy the thread can hand over (PDFKit's chunks may share a larger buffer).
    const bytes = new Uint8Array(chunk)
    port.postMessage({ chunk: bytes } satisfies BatchReply, [bytes.buffer])
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
      port.postMessage({ drawn } satisfies BatchReply)
    }
    doc.end()
    await ended
    port.postMessage({ done: true, pages } satisfies BatchReply)
  } catch (error) {
    port.postMessage({ failed: error instanceof Error ? error.message : String(error) } satisfies BatchReply)
  } finally {
    port.close()
  }
}
