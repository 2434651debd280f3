/**
 * The PDF render threads' entry (piscina). It is loaded by Node itself, or by tsx in development:
 * everything it imports must keep to what Node's type stripping reads (no parameter properties,
 * no enums), and stay free of Fastify, pg and Prisma.
 */
import { drawReceiptBatch } from '../invoices/receipt-batch-pdf.ts'
import { receiptPdf } from '../invoices/receipt-pdf.ts'
import { debtCertificatePdf, statementPdf } from '../statements/documents.ts'
import type { ReceiptBatchTask, RenderTask } from './render-task.ts'

export default async function render(task: RenderTask | ReceiptBatchTask): Promise<Uint8Array | undefined> {
  switch (task.kind) {
    case 'receipt-batch':
      await drawReceiptBatch(task.port, task.info)
      return undefined
    case 'receipt':
      return receiptPdf(task.receipt)
    case 'statement':
      return statementPdf(task.statement, task.timeZone)
    case 'debt-certificate':
      return debtCertificatePdf(task.certificate)
  }
}
