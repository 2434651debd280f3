import { UnprocessableError } from '../common/errors.ts'
import { paymentQrPayload, PaymentQrError, type PayeeRequisites, type PaymentQrInput } from './payment-qr.ts'

/** A payment QR that cannot be built is the supplier's requisites' fault: 422 naming the fields. */
export function qrPayload(input: PaymentQrInput): string {
  try {
    return paymentQrPayload(input)
  } catch (error) {
    if (!(error instanceof PaymentQrError)) throw error
    throw new UnprocessableError(error.code, error.message, { fields: error.fields })
  }
}

/** Refuses (422) a payee whose requisites cannot go on a receipt: issuing, and closing a period, check it first. */
export function assertReceiptRequisites(payee: PayeeRequisites): void {
  qrPayload({ payee })
}
