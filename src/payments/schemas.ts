import { Type, type Static } from 'typebox'
import { Money, Page, PageQuery, PaymentAmount, Period, Uuid, ref } from '../common/schemas.ts'
import { PAYMENT_STATUSES } from './rules.ts'

const STATUS_DESCRIPTION = 'pending → succeeded | failed | canceled; succeeded → refunded (partly or fully).'
export const PaymentStatusSchema = Type.Enum([...PAYMENT_STATUSES], { $id: 'PaymentStatus', type: 'string', description: STATUS_DESCRIPTION })

const PAYMENT_ID = '019ad1c2-7e4b-7c3a-9f10-2b6d8e4a1c55'
const ACCOUNT_ID = '019ad1a0-3b2c-7d41-8e9f-0a1b2c3d4e5f'

export const PaymentStart = Type.Object(
  {
    amount: PaymentAmount('Rubles to pay: more than zero, at most 9 999 999.99, at most two decimals.'),
    returnUrl: Type.String({
      format: 'uri',
      maxLength: 2000,
      description: 'Where the provider sends the customer back: the web app (PUBLIC_WEB_URL) or an origin of PAYMENT_RETURN_ORIGINS.',
    }),
  },
  { $id: 'PaymentStart', additionalProperties: false, examples: [{ amount: '2345.67', returnUrl: 'http://localhost:5173/payments/done' }] },
)
export type PaymentStart = Static<typeof PaymentStart>

export const PaysFor = Type.Object(
  {
    invoiceId: Type.Union([Uuid, Type.Null()]),
    invoiceNumber: Type.Union([Type.Integer(), Type.Null()]),
    period: Type.Union([Period, Type.Null()], { description: 'The last receipt issued when the payment started.' }),
    totalDue: Type.Union([Money, Type.Null()], { description: 'That receipt’s total due.' }),
    toPay: Money,
  },
  { $id: 'PaysFor', additionalProperties: false, description: 'What the payment was started against, frozen at that moment.' },
)
export type PaysFor = Static<typeof PaysFor>

const paymentProperties = {
    id: Uuid,
    accountId: Uuid,
    amount: Money,
    status: ref(PaymentStatusSchema),
    provider: Type.String({ description: 'sandbox, cloudpayments, tbank; import for a registry; a bank for the aggregator API.' }),
    method: Type.Union([Type.String(), Type.Null()]),
    paidAt: Type.String({ format: 'date-time', description: 'When the money was taken; while pending, when the payment started.' }),
    refundedAmount: Money,
    paysFor: Type.Union([ref(PaysFor), Type.Null()]),
    confirmationUrl: Type.Union([Type.String({ format: 'uri' }), Type.Null()], { description: 'The provider’s page, while the payment is pending.' }),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'A pending payment not settled by then is canceled.' }),
    failureReason: Type.Union([Type.String(), Type.Null()]),
    autopayId: Type.Union([Uuid, Type.Null()], { description: 'An autopay’s payment: the first one (whose card it saves) or one of its charges.' }),
    createdAt: Type.String({ format: 'date-time' }),
}

export const Payment = Type.Object(paymentProperties,
  {
    $id: 'Payment',
    additionalProperties: false,
    examples: [
      {
        id: PAYMENT_ID,
        accountId: ACCOUNT_ID,
        amount: '2345.67',
        status: 'pending',
        provider: 'sandbox',
        method: null,
        paidAt: '2026-11-05T04:12:30.000Z',
        refundedAmount: '0.00',
        paysFor: { invoiceId: '019ad0f1-0000-7000-8000-000000000031', invoiceNumber: 31, period: '2026-10', totalDue: '2345.67', toPay: '2345.67' },
        confirmationUrl: `http://localhost:3000/v1/sandbox/payments/${PAYMENT_ID}`,
        expiresAt: '2026-11-05T05:12:30.000Z',
        failureReason: null,
        autopayId: null,
        createdAt: '2026-11-05T04:12:30.000Z',
      },
    ],
  },
)
export type Payment = Static<typeof Payment>

export const PaymentEventView = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    fromStatus: Type.Union([ref(PaymentStatusSchema), Type.Null()]),
    toStatus: ref(PaymentStatusSchema),
    amount: Type.Union([Money, Type.Null()], { description: 'The amount returned, on a refund.' }),
    actor: Type.Enum(['customer', 'provider', 'operator', 'bank', 'system'], { type: 'string' }),
    providerStatus: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'PaymentEvent', additionalProperties: false },
)
export type PaymentEventView = Static<typeof PaymentEventView>

export const PaymentAllocationView = Type.Object(
  {
    invoiceId: Type.Union([Uuid, Type.Null()], { description: 'Null: credit, waiting for the next receipt.' }),
    period: Type.Union([Period, Type.Null()]),
    principal: Money,
    penalty: Money,
  },
  { $id: 'PaymentAllocation', additionalProperties: false },
)
export type PaymentAllocationView = Static<typeof PaymentAllocationView>

export const PaymentDetails = Type.Object(
  {
    ...paymentProperties,
    events: Type.Array(ref(PaymentEventView), { description: 'Every transition, oldest first.' }),
    allocations: Type.Array(ref(PaymentAllocationView), { description: 'Where its money is now: receipts oldest first, then credit.' }),
  },
  { $id: 'PaymentDetails', additionalProperties: false },
)
export type PaymentDetails = Static<typeof PaymentDetails>

export const PaymentPage = Page(Payment)

export const RefundRequest = Type.Object(
  {
    amount: PaymentAmount('Rubles to return: at most what is left of the payment.'),
  },
  { $id: 'RefundRequest', additionalProperties: false, examples: [{ amount: '500.00' }] },
)
export type RefundRequest = Static<typeof RefundRequest>

export const RefundRequested = Type.Object(
  { paymentId: Uuid, amount: Money, status: Type.Literal('requested', { type: 'string' }) },
  {
    $id: 'RefundRequested',
    additionalProperties: false,
    description: 'The provider took the request; its refund notification moves the payment to refunded.',
    examples: [{ paymentId: PAYMENT_ID, amount: '500.00', status: 'requested' }],
  },
)
export type RefundRequested = Static<typeof RefundRequested>

export const PaymentListQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(Type.Enum([...PAYMENT_STATUSES], { type: 'string', description: 'Only payments in this status.' })) },
  { additionalProperties: false },
)
export type PaymentListQuery = Static<typeof PaymentListQuery>

export const PaymentParams = Type.Object({ accountId: Uuid, paymentId: Uuid }, { additionalProperties: false })

export const paymentSchemas = [PaymentStatusSchema, PaymentStart, PaysFor, Payment, PaymentEventView, PaymentAllocationView, PaymentDetails, PaymentPage, RefundRequest, RefundRequested]
