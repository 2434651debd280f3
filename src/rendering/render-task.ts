import type { MessagePort } from 'node:worker_threads'
import type { ReceiptDocument } from '../invoices/receipt-pdf.ts'
import type { PdfInfo } from '../documents/pdf.ts'
import type { CertificateInput } from '../statements/documents.ts'
import type { Statement } from '../statements/schemas.ts'

/** A document to render, as plain data (it crosses to a render thread by structured clone). */
export type RenderTask =
  | { kind: 'receipt'; receipt: ReceiptDocument }
  | { kind: 'statement'; statement: Statement; timeZone: string }
  | { kind: 'debt-certificate'; certificate: CertificateInput }

/** Many receipts drawn into one PDF that streams out through `port` (invoices/receipt-batch-pdf.ts). */
export interface ReceiptBatchTask {
  kind: 'receipt-batch'
  port: MessagePort
  info: PdfInfo
}
