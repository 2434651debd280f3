import { Type, type Static } from 'typebox'
import { Money, PaymentAmount, Period, Uuid, ref } from '../common/schemas.ts'
import { PaymentStatusSchema } from './schemas.ts'

export const AUTOPAY_STATUSES = ['awaiting_card', 'active', 'stopped', 'canceled'] as const
export const AUTOPAY_CHARGE_STATUSES = ['scheduled', 'charging', 'succeeded', 'declined', 'skipped', 'canceled'] as const

export const AutopayStatusSchema = Type.Enum([...AUTOPAY_STATUSES], {
  $id: 'AutopayStatus',
  type: 'string',
  description:
    'awaiting_card: the first payment is on the provider’s page; active: receipts are charged; stopped: a charge was declined or the card was not ' +
    'saved (set it up again); canceled: by the customer, an operator, or a newer setup.',
})

export const AutopayChargeStatusSchema = Type.Enum([...AUTOPAY_CHARGE_STATUSES], {
  $id: 'AutopayChargeStatus',
  type: 'string',
  description:
    'scheduled: announced by mail, taken at chargeAt; charging: with the provider; succeeded; declined (the autopay stops); skipped: nothing was ' +
    'due at chargeAt, or the month’s limit was used; canceled: the autopay ended first.',
})

const AUTOPAY_ID = '019af3b1-52c0-7e11-9d0a-4c7b2e8f1a20'
const ACCOUNT_ID = '019ad1a0-3b2c-7d41-8e9f-0a1b2c3d4e5f'
const PAYMENT_ID = '019af3b1-52c1-7a02-8b3e-1f4c6d9e0b77'

export const AutopaySetup = Type.Object(
  {
    monthlyLimit: PaymentAmount('At most this many rubles are charged per calendar month (the supplier’s time zone).'),
    consent: Type.Boolean({ description: 'The customer agreed to the text the answer’s consentText holds: must be true.' }),
    returnUrl: Type.String({ format: 'uri', maxLength: 2000, description: 'Where the provider’s page sends the customer back (as for a payment).' }),
    amount: Type.Optional(
      PaymentAmount('The first payment, whose card is saved: by default what the account owes now, or 1.00 (an advance) when it owes nothing.'),
    ),
  },
  {
    $id: 'AutopaySetup',
    additionalProperties: false,
    examples: [{ monthlyLimit: '5000.00', consent: true, returnUrl: 'http://localhost:5173/autopay/done' }],
  },
)
export type AutopaySetup = Static<typeof AutopaySetup>

export const AutopayChargeView = Type.Object(
  {
    id: Uuid,
    invoiceId: Uuid,
    period: Period,
    status: ref(AutopayChargeStatusSchema),
    plannedAmount: Type.String({ pattern: '^\\d+\\.\\d{2}$', description: 'Announced: the receipt’s amount due, up to the limit.' }),
    amount: Type.Union([Money, Type.Null()], { description: 'Charged: what was owed at chargeAt, up to what was left of the month’s limit.' }),
    chargeAt: Type.String({ format: 'date-time' }),
    paymentId: Type.Union([Uuid, Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was declined, skipped or canceled.' }),
  },
  { $id: 'AutopayCharge', additionalProperties: false },
)
export type AutopayChargeView = Static<typeof AutopayChargeView>

export const AutopayView = Type.Object(
  {
    id: Uuid,
    accountId: Uuid,
    status: ref(AutopayStatusSchema),
    provider: Type.String(),
    monthlyLimit: Money,
    yours: Type.Boolean({ description: 'Set up by the caller (whose card it charges). Others who see the account see it without the card.' }),
    card: Type.Union([Type.Object({ mask: Type.Union([Type.String(), Type.Null()]), expires: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }), Type.Null()], {
      description: 'The saved card as the provider shows it; only to whoever set it up.',
    }),
    consentText: Type.String({ description: 'The consent given, word for word.' }),
    consentAt: Type.String({ format: 'date-time' }),
    firstPayment: Type.Union(
      [
        Type.Object(
          {
            id: Uuid,
            status: ref(PaymentStatusSchema),
            amount: Money,
            confirmationUrl: Type.Union([Type.String({ format: 'uri' }), Type.Null()], { description: 'While awaiting_card: send the customer here.' }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'The payment whose card is saved.' },
    ),
    activatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    endReason: Type.Union([Type.String(), Type.Null()], {
      description: 'canceled_by_customer, canceled_by_operator, replaced, first_payment_failed, first_payment_canceled, card_not_saved, charge_declined: <reason>.',
    }),
    charges: Type.Array(ref(AutopayChargeView), { description: 'The latest twelve, newest first.' }),
  },
  {
    $id: 'Autopay',
    additionalProperties: false,
    examples: [
      {
        id: AUTOPAY_ID,
        accountId: ACCOUNT_ID,
        status: 'active',
        provider: 'tbank',
        monthlyLimit: '5000.00',
        yours: true,
        card: { mask: '430000******0777', expires: '12/30' },
        consentText: 'Я поручаю ООО «Горводоканал» списывать с сохранённой банковской карты сумму к оплате по квитанциям лицевого счёта 12-0012346…',
        consentAt: '2026-11-05T04:12:30.000Z',
        firstPayment: { id: PAYMENT_ID, status: 'succeeded', amount: '1845.20', confirmationUrl: null },
        activatedAt: '2026-11-05T04:14:02.000Z',
        endedAt: null,
        endReason: null,
        charges: [
          {
            id: '019b1a2c-0d00-7c10-8a00-5e6f7a8b9c01',
            invoiceId: '019b1a20-0000-7000-8000-000000000042',
            period: '2026-11',
            status: 'scheduled',
            plannedAmount: '1912.40',
            amount: null,
            chargeAt: '2026-12-05T06:00:00.000Z',
            paymentId: null,
            reason: null,
          },
        ],
      },
    ],
  },
)
export type AutopayView = Static<typeof AutopayView>

export const autopaySchemas = [AutopayStatusSchema, AutopayChargeStatusSchema, AutopaySetup, AutopayChargeView, AutopayView]
