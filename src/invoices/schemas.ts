import { Type, type Static } from 'typebox'
import { DateOnly, Money, Page, Period, Uuid, ref } from '../common/schemas.ts'
import { ServiceKind } from '../suppliers/schemas.ts'

export const PaymentQrQuery = Type.Object(
  {
    amount: Type.Optional(
      Type.String({
        // More than zero, at most two decimals: the QR carries kopecks.
        pattern: '^(?!0+(\\.0{1,2})?$)\\d{1,10}(\\.\\d{1,2})?$',
        description: 'Rubles to pay, more than zero, at most two decimals. Without it: what the account owes now, pending payments deducted.',
        examples: ['1500', '2345.67'],
      }),
    ),
  },
  { additionalProperties: false },
)
export type PaymentQrQuery = Static<typeof PaymentQrQuery>

const QR_EXAMPLE =
  'ST00012|Name=ООО «Горводоканал»|PersonalAcc=40702810744050000001|BankName=Сибирский банк ПАО Сбербанк|BIC=045004641|CorrespAcc=30101810500000000641|PayeeINN=5406000018|KPP=540601001|Sum=150000|Purpose=Оплата по лицевому счёту 5406-000123|PersAcc=5406-000123|LastName=Иванов|PayerAddress=г. Новосибирск, ул. Ленина, д. 5, кв. 7|TechCode=02'

export const PaymentQr = Type.Object(
  {
    payload: Type.String({ description: 'The GOST R 56042-2014 payload (UTF-8) the QR code carries.' }),
    amount: Type.Union([Money, Type.Null()], { description: 'The sum the code asks for; null when nothing is owed (the payer types an amount in).' }),
    accountNumber: Type.String(),
  },
  {
    $id: 'PaymentQr',
    additionalProperties: false,
    examples: [{ payload: QR_EXAMPLE, amount: '1500.00', accountNumber: '5406-000123' }],
  },
)
export type PaymentQr = Static<typeof PaymentQr>

export const InvoiceParams = Type.Object({ accountId: Uuid, period: Period }, { additionalProperties: false })
export type InvoiceParams = Static<typeof InvoiceParams>

export const InvoiceLine = Type.Object(
  {
    service: Type.Union([ref(ServiceKind), Type.Null()], { description: 'Null on the penalty line.' }),
    kind: Type.Enum(['metered', 'average', 'normative', 'recalculation', 'per_resident', 'per_area', 'fixed', 'penalty'], {
      type: 'string',
      description: 'How the quantity was found (see ChargeLine.kind).',
    }),
    zone: Type.Union([Type.String(), Type.Null()]),
    quantity: Type.Union([Type.String(), Type.Null()], { description: 'Units of the service, summed over the meters of the line; null on penalties.' }),
    unit: Type.Union([Type.String(), Type.Null()]),
    tariff: Type.Union([Type.String(), Type.Null()], { description: 'Rubles per unit; null on penalties.' }),
    amount: Money,
  },
  { $id: 'InvoiceLine', additionalProperties: false },
)

const totals = {
  openingBalance: { ...Money, description: 'Owed at the start of the period; negative when paid in advance.' },
  payments: { ...Money, description: "Settled payments dated in the period (the supplier's calendar)." },
  charged: { ...Money, description: 'The lines of the period other than penalties, recalculations included.' },
  penalties: Money,
  totalDue: { ...Money, description: 'openingBalance − payments + charged + penalties; negative when paid in advance.' },
  owed: { ...Money, description: 'What this receipt itself asks: its charges and penalties (the first receipt also the debt it opened with).' },
  paid: { ...Money, description: 'What payments have paid of it so far (oldest receipts first).' },
  paymentStatus: Type.Enum(['unpaid', 'partly_paid', 'paid', 'nothing_owed'], { type: 'string', description: 'paid once `paid` reaches `owed`.' }),
}

const EXAMPLE = {
  id: '019a8f3c-5b7e-7d21-9c44-2f1e0a6b7c80',
  number: 1042,
  period: '2026-11',
  issuedAt: '2026-12-01T03:00:00.000Z',
  dueDate: '2026-12-15',
  delivery: 'electronic',
  account: { id: '019a8f3c-1111-7d21-9c44-2f1e0a6b7c80', number: '12-0012346', holder: 'Семенова Анна Викторовна', address: 'г. Новосибирск, ул. Ленина, д. 5, кв. 7' },
  payee: {
    name: 'МУП «Горводоканал»',
    inn: '5406000018',
    kpp: '540601001',
    bankName: 'Сибирский банк ПАО Сбербанк',
    bik: '045004641',
    settlementAccount: '40702810744050000001',
    correspondentAccount: '30101810500000000641',
  },
  lines: [
    { service: 'cold_water', kind: 'metered', zone: 'T1', quantity: '7.200', unit: 'м³', tariff: '43.0000', amount: '309.60' },
    { service: 'wastewater', kind: 'metered', zone: 'T1', quantity: '7.200', unit: 'м³', tariff: '30.0000', amount: '216.00' },
    { service: null, kind: 'penalty', zone: null, quantity: null, unit: null, tariff: null, amount: '12.40' },
  ],
  openingBalance: '1200.00',
  payments: '1200.00',
  charged: '525.60',
  penalties: '12.40',
  totalDue: '538.00',
  owed: '538.00',
  paid: '500.00',
  paymentStatus: 'partly_paid',
  qrPayload: QR_EXAMPLE,
}

// The receipt's example without what only the full receipt carries.
const { delivery: _delivery, account: _account, payee: _payee, lines: _lines, qrPayload: _qrPayload, ...SUMMARY_EXAMPLE } = EXAMPLE

export const InvoiceSummary = Type.Object(
  {
    id: Uuid,
    number: Type.Integer({ minimum: 1, description: "Per supplier, in the order issued, without gaps." }),
    period: Period,
    issuedAt: Type.String({ format: 'date-time' }),
    dueDate: { ...DateOnly, description: "Pay by this day (the supplier's calendar)." },
    ...totals,
  },
  {
    $id: 'InvoiceSummary',
    additionalProperties: false,
    examples: [SUMMARY_EXAMPLE],
  },
)
export type InvoiceSummary = Static<typeof InvoiceSummary>

export const InvoiceSummaryPage = Page(InvoiceSummary)

export const Invoice = Type.Object(
  {
    ...InvoiceSummary.properties,
    delivery: Type.Enum(['paper', 'electronic'], { type: 'string', description: 'How the account wanted its receipts when this one was issued.' }),
    account: Type.Object(
      { id: Uuid, number: Type.String(), holder: Type.String(), address: Type.String() },
      { additionalProperties: false, description: 'The payer as the register said at issue.' },
    ),
    payee: Type.Object(
      {
        name: Type.String(),
        inn: Type.String(),
        kpp: Type.Union([Type.String(), Type.Null()]),
        bankName: Type.String(),
        bik: Type.String(),
        settlementAccount: Type.String(),
        correspondentAccount: Type.String(),
      },
      { additionalProperties: false, description: "The supplier's requisites as they were at issue: a later change does not alter an issued receipt." },
    ),
    lines: Type.Array(ref(InvoiceLine), { description: 'Per service, method, zone and tariff; the penalty line last. They add up to charged + penalties.' }),
    qrPayload: Type.String({ description: 'The GOST R 56042-2014 payload of the receipt’s QR: the total due (left out when nothing is due), the period, the account.' }),
  },
  { $id: 'Invoice', additionalProperties: false, description: 'A receipt (ЕПД) as issued; never edited.', examples: [EXAMPLE] },
)
export type Invoice = Static<typeof Invoice>

export const invoiceSchemas = [PaymentQr, InvoiceLine, InvoiceSummary, InvoiceSummaryPage, Invoice]
