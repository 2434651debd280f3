import type { ReceiptDocument } from '../invoices/receipt-pdf.ts'
import type { CertificateInput } from '../statements/documents.ts'
import type { Statement } from '../statements/schemas.ts'

/** A document to render, as plain data (it crosses to a render thread by structured clone). */
export type RenderTask =
  | { kind: 'receipt'; receipt: ReceiptDocument }
  | { kind: 'statement'; statement: Statement; timeZone: string }
  | { kind: 'debt-certificate'; certificate: CertificateInput }
