import { Type, type Static } from 'typebox'
import { DateOnly, Decimal, Money, Page, Uuid, ref } from '../common/schemas.ts'
import { ServiceKind } from '../suppliers/schemas.ts'


export const PendingPayment = Type.Object(
  {
    id: Uuid,
    amount: Money,
    paidAt: Type.String({ format: 'date-time' }),
    provider: Type.String(),
  },
  { $id: 'PendingPayment', additionalProperties: false },
)

export const Balance = Type.Object(
  {
    balance: { ...Money, description: 'What the account owes (negative: paid in advance), counting settled payments.' },
    pendingPayments: { ...Money, description: 'Payments reported but not yet settled by the bank.' },
    toPay: { ...Money, description: 'What is left to pay once pending payments settle (never negative).' },
    pending: Type.Array(ref(PendingPayment)),
  },
  { $id: 'Balance', additionalProperties: false },
)
export type Balance = Static<typeof Balance>

export const AccountSupplier = Type.Object(
  { id: Uuid, name: Type.String(), shortName: Type.String(), timeZone: Type.String() },
  { $id: 'AccountSupplier', additionalProperties: false },
)

export const AccountSummary = Type.Object(
  {
    id: Uuid,
    supplier: ref(AccountSupplier),
    number: Type.String(),
    address: Type.String(),
    holder: Type.String(),
    services: Type.Array(ref(ServiceKind)),
    status: Type.Enum(['active', 'closed']),
    receiptDelivery: Type.Enum(['paper', 'electronic']),
    balance: ref(Balance),
  },
  { $id: 'AccountSummary', additionalProperties: false },
)
export type AccountSummary = Static<typeof AccountSummary>

export const AccountSummaryPage = Page(AccountSummary)

export const MeterInfo = Type.Object(
  {
    id: Uuid,
    service: ref(ServiceKind),
    serialNumber: Type.String(),
    zones: Type.Array(Type.Enum(['T1', 'T2', 'T3']), { description: 'Tariff zones a reading gives values for.' }),
    digitCapacity: Type.Integer({ description: 'Digits before the decimal point; the counter rolls over after 10^digitCapacity − 1.' }),
    installedAt: Type.Union([DateOnly, Type.Null()]),
    verificationDueAt: Type.Union([DateOnly, Type.Null()]),
    verificationExpired: Type.Boolean({ description: 'Past its verification date: readings are not accepted.' }),
    status: Type.Enum(['active', 'replaced', 'removed']),
  },
  { $id: 'MeterInfo', additionalProperties: false },
)
export type MeterInfo = Static<typeof MeterInfo>

export const MeterInfoList = Type.Object({ items: Type.Array(ref(MeterInfo)) }, { $id: 'MeterInfoList', additionalProperties: false })

export const AccountDetails = Type.Object(
  {
    ...AccountSummary.properties,
    holderSurname: Type.String(),
    holderGivenNames: Type.Union([Type.String(), Type.Null()]),
    residentsCount: Type.Integer(),
    areaM2: Type.Union([Type.String({ ...Decimal }), Type.Null()]),
    meters: Type.Array(ref(MeterInfo)),
  },
  { $id: 'AccountDetails', additionalProperties: false },
)
export type AccountDetails = Static<typeof AccountDetails>

/** What a person answers to the supplier's `linkProof` question. */
export const LinkProofAnswer = Type.String({
  minLength: 1,
  maxLength: 64,
  description: "The second fact the supplier asks for (its `linkProof` in GET /v1/suppliers): the access code printed on the receipt, the premises number, or the last receipt's total.",
  examples: ['K7M2QX9P', '5', '1520.40'],
})

export const LinkAccountRequest = Type.Object(
  {
    supplierId: Uuid,
    accountNumber: Type.String({ minLength: 1, maxLength: 32 }),
    surname: Type.String({ minLength: 1, maxLength: 200, description: "The account holder's surname as in the supplier's register." }),
    proof: LinkProofAnswer,
    captchaToken: Type.Optional(Type.String({ minLength: 1, maxLength: 8192, description: 'Needed after repeated failed checks (`captcha_required`).' })),
  },
  {
    $id: 'LinkAccountRequest',
    additionalProperties: false,
    examples: [{ supplierId: '0193a1f2-6c3e-7b4d-9a8e-2f1c0d9b8a7e', accountNumber: '5400012345', surname: 'Иванов', proof: 'K7M2QX9P' }],
  },
)
export type LinkAccountRequest = Static<typeof LinkAccountRequest>

export const AccountUpdate = Type.Object(
  { receiptDelivery: Type.Enum(['paper', 'electronic'], { description: 'Paper receipts by post, or electronic only.' }) },
  { $id: 'AccountUpdate', additionalProperties: false },
)

export const AccountHolderList = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          name: Type.String({ description: 'Surname and initials.', examples: ['Иванов И. П.'] }),
          linkedAt: Type.String({ format: 'date-time' }),
          you: Type.Boolean({ description: 'This entry is the caller.' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    $id: 'AccountHolderList',
    additionalProperties: false,
    examples: [{ items: [{ name: 'Иванов И. П.', linkedAt: '2026-10-02T08:15:00.000Z', you: true }, { name: 'Иванова О. С.', linkedAt: '2026-12-01T17:40:12.000Z', you: false }] }],
  },
)

export const AccountParams = Type.Object({ accountId: Uuid }, { additionalProperties: false })

export const accountSchemas = [PendingPayment, Balance, AccountSupplier, AccountSummary, AccountSummaryPage, MeterInfo, MeterInfoList, AccountDetails, LinkAccountRequest, AccountUpdate, AccountHolderList]
