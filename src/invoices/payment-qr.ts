/**
 * The payment QR payload of GOST R 56042-2014, as DOMAIN.md fixes it (pure): what every bank
 * app scans to fill a payment in. A wrong byte here sends money to the wrong place or makes the
 * code unreadable, so each rule is its own small step with its own test.
 */
import type { Kopecks } from '../common/money.ts'

export interface PayeeRequisites {
  /** The payee's name as the bank knows it. */
  name: string
  /** Settlement account (р/с), 20 digits. */
  settlementAccount: string
  bankName: string
  /** BIK, 9 digits. */
  bik: string
  /** Correspondent account (к/с), 20 digits. */
  correspondentAccount: string
  /** Optional in the payload, like every field after the mandatory block. */
  inn?: string | null
  kpp?: string | null
}

export interface PaymentQrInput {
  payee: PayeeRequisites
  /** What is asked; zero or less leaves Sum out (the payer types it in). */
  amount?: Kopecks | null
  purpose?: string | null
  /** The customer's account number with the supplier. */
  accountNumber?: string | null
  /** YYYY-MM: the period paid for. */
  period?: string | null
  lastName?: string | null
  payerAddress?: string | null
}

/** Header: the format's id and version, then the encoding: 2 is UTF-8. */
const HEADER = 'ST00012'
const SEPARATORS = ['|', '#', ';', ':', '^', '_', '~'] as const
const MANDATORY_BLOCK_BYTES = 300
const PURPOSE_MAX = 210
/** Housing and utility services. */
const TECH_CODE = '02'

/** Which requisite is unusable in a payment QR, and why; empty when the payee can be paid. */
export function payeeProblems(payee: PayeeRequisites): { field: keyof PayeeRequisites; detail: string }[] {
  const problems: { field: keyof PayeeRequisites; detail: string }[] = []
  const need = (field: keyof PayeeRequisites, ok: boolean, detail: string) => {
    if (!ok) problems.push({ field, detail })
  }
  need('name', payee.name.trim().length > 0 && payee.name.length <= 160, 'the name is required, at most 160 characters')
  need('settlementAccount', /^\d{20}$/.test(payee.settlementAccount), 'the settlement account is 20 digits')
  need('bankName', payee.bankName.trim().length > 0 && payee.bankName.length <= 45, 'the bank name is required, at most 45 characters')
  need('bik', /^\d{9}$/.test(payee.bik), 'the BIK is 9 digits')
  need('correspondentAccount', /^\d{20}$/.test(payee.correspondentAccount), 'the correspondent account is 20 digits')
  return problems
}

// Fields declared, not constructor parameter properties: the PDF render threads load this module
// with Node's own type stripping, which has no parameter properties.
export class PaymentQrError extends Error {
  readonly code: 'supplier_requisites_incomplete' | 'qr_mandatory_block_too_long' | 'qr_no_separator'
  readonly fields: string[]

  constructor(code: PaymentQrError['code'], message: string, fields: string[] = []) {
    super(message)
    this.code = code
    this.fields = fields
  }
}

/** "5508.18" is Sum=550818: kopecks, digits alone. */
export function sumField(amount: Kopecks): string {
  return amount.toString()
}

/** MM.YYYY */
export function periodField(period: string): string {
  const [year, month] = period.split('-')
  return `${month}.${year}`
}

/** Cut at 210 characters (code points: a Cyrillic letter is one character however many bytes). */
export function purposeField(purpose: string): string {
  return Array.from(purpose).slice(0, PURPOSE_MAX).join('')
}

/** `|` unless a value holds it; then the first of `# ; : ^ _ ~` no value holds. */
export function chooseSeparator(values: string[]): string {
  const separator = SEPARATORS.find((s) => values.every((v) => !v.includes(s)))
  if (!separator) throw new PaymentQrError('qr_no_separator', 'Every separator the standard allows (| # ; : ^ _ ~) appears in some value of the payment (a name or an address); remove one of them.')
  return separator
}

/** The fields in the standard's order, the empty optional ones left out with their names. */
export function paymentQrFields(input: PaymentQrInput): [string, string][] {
  const problems = payeeProblems(input.payee)
  if (problems.length) {
    throw new PaymentQrError(
      'supplier_requisites_incomplete',
      `The supplier's requisites cannot go on a payment QR: ${problems.map((p) => p.detail).join('; ')}.`,
      problems.map((p) => p.field),
    )
  }
  const { payee } = input
  const optional: [string, string | null | undefined][] = [
    ['PayeeINN', payee.inn],
    ['KPP', payee.kpp],
    ['Sum', input.amount != null && input.amount > 0n ? sumField(input.amount) : null],
    ['Purpose', input.purpose ? purposeField(input.purpose) : null],
    ['PersAcc', input.accountNumber],
    ['PaymPeriod', input.period ? periodField(input.period) : null],
    ['LastName', input.lastName],
    ['PayerAddress', input.payerAddress],
    ['TechCode', TECH_CODE],
  ]
  return [
    ['Name', payee.name],
    ['PersonalAcc', payee.settlementAccount],
    ['BankName', payee.bankName],
    ['BIC', payee.bik],
    ['CorrespAcc', payee.correspondentAccount],
    ...optional.filter((f): f is [string, string] => typeof f[1] === 'string' && f[1].length > 0),
  ]
}

/** The payload a receipt's QR carries, UTF-8. */
export function paymentQrPayload(input: PaymentQrInput): string {
  const fields = paymentQrFields(input)
  const separator = chooseSeparator(fields.map(([, value]) => value))
  // The mandatory block is the five fields with their names and the separators between them; the header is not part of it.
  const mandatory = fields.slice(0, 5).map(([name, value]) => `${name}=${value}`).join(separator)
  if (Buffer.byteLength(mandatory, 'utf8') > MANDATORY_BLOCK_BYTES) {
    throw new PaymentQrError('qr_mandatory_block_too_long', `The payee's name, accounts and bank take more than ${MANDATORY_BLOCK_BYTES} bytes; shorten the name or the bank name.`, ['name', 'bankName'])
  }
  return [HEADER, ...fields.map(([name, value]) => `${name}=${value}`)].join(separator)
}

/** GOST R 56042 asks for error correction level M. */
export const QR_ERROR_CORRECTION = 'M' as const
