import { Type, type TSchema } from 'typebox'
import { EVENT_TYPES, PAYLOAD_VERSION, TEST_EVENT, type EventType } from './event-types.ts'

/**
 * The payloads integrators receive, one schema per event type, published in the contract's
 * top-level `webhooks` section (OpenAPI 3.1) so that clients generate types for them too.
 * Every body is the same envelope; `data` is the type's own.
 */
const Uuid = Type.String({ format: 'uuid' })
const Money = Type.String({ pattern: '^-?\\d+\\.\\d{2}$' })
const Instant = Type.String({ format: 'date-time' })
const SUPPLIER = '019ad0a1-5e2f-7a10-8c3d-4b5e6f708192'
const ACCOUNT = '019ad0a2-11aa-7b20-9c3d-4b5e6f708193'

const Zones = Type.Object(
  { T1: Type.String(), T2: Type.Optional(Type.String()), T3: Type.Optional(Type.String()) },
  { additionalProperties: false, description: 'Per tariff zone, exact decimals with three places.' },
)

const ReadingData = Type.Object(
  {
    readingId: Uuid,
    accountId: Uuid,
    accountNumber: Type.String(),
    meterId: Uuid,
    meterSerialNumber: Type.String(),
    service: Type.Enum(['heat', 'hot_water', 'cold_water', 'wastewater', 'electricity', 'gas'], { type: 'string' }),
    period: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
    status: Type.Enum(['accepted', 'cancelled', 'superseded', 'billed'], { type: 'string' }),
    source: Type.Enum(['customer', 'operator', 'import', 'aggregator'], { type: 'string' }),
    values: Zones,
    consumption: Type.Union([Zones, Type.Null()], { description: 'Since the previous accepted reading; null for the first.' }),
    flags: Type.Array(Type.String()),
    supersedesId: Type.Union([Uuid, Type.Null()], { description: 'The reading this one corrects.' }),
    takenAt: Instant,
  },
  { additionalProperties: false },
)

const readingExample = {
  readingId: '019af3a0-5b6c-7d8e-9f01-2a3b4c5d6e7f',
  accountId: ACCOUNT,
  accountNumber: '12-0012346',
  meterId: '019ad0a3-7c8d-7e9f-8a0b-1c2d3e4f5a6b',
  meterSerialNumber: 'ВК-0421337',
  service: 'cold_water',
  period: '2026-11',
  status: 'accepted',
  source: 'customer',
  values: { T1: '412.350' },
  consumption: { T1: '6.120' },
  flags: [],
  supersedesId: null,
  takenAt: '2026-11-20T06:12:44.000Z',
}

const InvoiceData = Type.Object(
  {
    invoiceId: Uuid,
    accountId: Uuid,
    accountNumber: Type.String(),
    period: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
    number: Type.Integer(),
    openingBalance: Money,
    payments: Money,
    charged: Money,
    penalties: Money,
    totalDue: Money,
    dueDate: Type.String({ format: 'date' }),
    delivery: Type.Enum(['paper', 'electronic'], { type: 'string' }),
    issuedAt: Instant,
  },
  { additionalProperties: false },
)

const paymentProperties = {
  paymentId: Uuid,
  accountId: Uuid,
  accountNumber: Type.String(),
  amount: Money,
  currency: Type.Literal('RUB'),
  provider: Type.String({ description: 'sandbox, cloudpayments, tbank, or bank (reported by a bank or aggregator).' }),
  method: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(['succeeded', 'refunded'], { type: 'string', description: 'refunded once any of it was given back; refundedAmount says how much.' }),
  paidAt: Instant,
  refundedAmount: Money,
}
const paymentExample = {
  paymentId: '019af3b1-2c3d-7e4f-8a5b-6c7d8e9f0a1b',
  accountId: ACCOUNT,
  accountNumber: '5400012345',
  amount: '2450.37',
  currency: 'RUB',
  provider: 'cloudpayments',
  method: null,
  status: 'succeeded',
  paidAt: '2026-12-01T09:15:02.120Z',
  refundedAmount: '0.00',
}

const PaymentData = Type.Object(paymentProperties, { additionalProperties: false })
const RefundData = Type.Object(
  { ...paymentProperties, refund: Type.Object({ amount: Money, refundedAt: Instant }, { additionalProperties: false }) },
  { additionalProperties: false },
)

const TicketData = Type.Object(
  {
    ticketId: Uuid,
    number: Type.String(),
    accountId: Type.Union([Uuid, Type.Null()]),
    category: Type.String(),
    status: Type.Enum(['new', 'in_progress', 'waiting_customer', 'resolved', 'closed'], { type: 'string' }),
    subject: Type.String(),
    changes: Type.Array(Type.String(), { description: 'ticket.updated: which of status, assignee, answer, deadline changed.' }),
    updatedAt: Instant,
  },
  { additionalProperties: false, description: 'Internal notes never appear here.' },
)

const LinkData = Type.Object(
  {
    accountId: Uuid,
    accountNumber: Type.String(),
    userId: Type.String({ format: 'uuid', description: 'The login (opaque), to match a later account.unlinked.' }),
    linkedLogins: Type.Integer({ minimum: 0, description: 'Logins linked to the account after the change.' }),
  },
  { additionalProperties: false },
)

const DATA: Record<EventType | typeof TEST_EVENT, { data: TSchema; example: unknown; summary: string }> = {
  'reading.accepted': { data: ReadingData, example: readingExample, summary: 'A meter reading was accepted (a correction is a new reading that supersedes one).' },
  'reading.cancelled': { data: ReadingData, example: { ...readingExample, status: 'cancelled' }, summary: 'An accepted reading was withdrawn.' },
  'invoice.issued': {
    data: InvoiceData,
    example: {
      invoiceId: '019af3c0-3d4e-7f50-8a6b-7c8d9e0f1a2b',
      accountId: ACCOUNT,
      accountNumber: '5400012345',
      period: '2026-11',
      number: 10482,
      openingBalance: '0.00',
      payments: '0.00',
      charged: '2450.37',
      penalties: '0.00',
      totalDue: '2450.37',
      dueDate: '2026-12-15',
      delivery: 'electronic',
      issuedAt: '2026-12-01T03:00:00.000Z',
    },
    summary: 'A receipt was issued for a period.',
  },
  'payment.succeeded': { data: PaymentData, example: paymentExample, summary: 'Money arrived: online, by autopay, or reported by a bank.' },
  'payment.refunded': {
    data: RefundData,
    example: { ...paymentExample, status: 'refunded', refundedAmount: '450.37', refund: { amount: '450.37', refundedAt: '2026-12-03T11:00:00.000Z' } },
    summary: 'Part or all of a payment was given back.',
  },
  'ticket.created': {
    data: TicketData,
    example: { ticketId: '019af3d1-4e5f-7a60-8b7c-8d9e0f1a2b3c', number: 'T-2026-000418', accountId: ACCOUNT, category: 'billing', status: 'new', subject: 'Неверный расчёт за ноябрь', changes: [], updatedAt: '2026-12-02T08:00:00.000Z' },
    summary: 'A support ticket was opened.',
  },
  'ticket.updated': {
    data: TicketData,
    example: { ticketId: '019af3d1-4e5f-7a60-8b7c-8d9e0f1a2b3c', number: 'T-2026-000418', accountId: ACCOUNT, category: 'billing', status: 'in_progress', subject: 'Неверный расчёт за ноябрь', changes: ['status', 'assignee'], updatedAt: '2026-12-02T09:30:00.000Z' },
    summary: 'A ticket’s status, assignee or answers changed.',
  },
  'account.linked': { data: LinkData, example: { accountId: ACCOUNT, accountNumber: '5400012345', userId: '019ad0b0-0a1b-7c2d-8e3f-4a5b6c7d8e9f', linkedLogins: 1 }, summary: 'A login linked an account.' },
  'account.unlinked': { data: LinkData, example: { accountId: ACCOUNT, accountNumber: '5400012345', userId: '019ad0b0-0a1b-7c2d-8e3f-4a5b6c7d8e9f', linkedLogins: 0 }, summary: 'A login unlinked an account.' },
  'webhook.test': {
    data: Type.Object({ endpointId: Uuid, message: Type.String() }, { additionalProperties: false }),
    example: { endpointId: '019af3c2-7d10-7c4e-9a51-3f0e2b6d8a14', message: 'Проверка доставки' },
    summary: 'Sent by the test-send action to one endpoint.',
  },
}

const ALL_TYPES: readonly (EventType | typeof TEST_EVENT)[] = [...EVENT_TYPES, TEST_EVENT]

const schemaId = (type: string) => `WebhookEvent${type.split(/[._]/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`

/** One schema per event type: the envelope with that type's data. */
export const webhookEventSchemas: TSchema[] = ALL_TYPES.map((type) =>
  Type.Object(
    {
      id: Type.String({ description: 'Equals the webhook-id header: the same for every attempt; de-duplicate on it.' }),
      type: Type.Literal(type),
      version: Type.Literal(PAYLOAD_VERSION[type]),
      timestamp: Type.String({ format: 'date-time', description: 'When it happened.' }),
      supplierId: Uuid,
      data: DATA[type].data,
    },
    {
      $id: schemaId(type),
      additionalProperties: false,
      description: DATA[type].summary,
      examples: [{ id: 'msg_019af3c8ff017a229e3b6d5c4b3a2910', type, version: PAYLOAD_VERSION[type], timestamp: '2026-12-01T09:15:02.120Z', supplierId: SUPPLIER, data: DATA[type].example }],
    },
  ),
)

const SIGNATURE_HEADERS: { name: string; in: 'header'; required: true; schema: { type: 'string' }; description: string }[] = [
  { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' }, description: 'The message id; the same on every retry.' },
  { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string' }, description: 'Unix seconds of this attempt; refuse ones more than 5 minutes off.' },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    schema: { type: 'string' },
    description: 'Space-separated `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, one per secret (two during a rotation).',
  },
]

/** The contract's `webhooks` section: what we POST to an endpoint, per event type. */
export function webhooksSection() {
  return Object.fromEntries(
    ALL_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace('.', '_')}`,
          tags: ['webhooks'],
          summary: DATA[type].summary,
          description:
            'Sent to every enabled endpoint whose filter takes this type, signed by Standard Webhooks. Answer 2xx within 15 s; anything else is retried (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, with jitter; Retry-After is honoured). 410 disables the endpoint. Events of one endpoint arrive in the order they happened, but the same event can arrive twice: de-duplicate on webhook-id.',
          security: [{ webhookSignature: [] }],
          parameters: SIGNATURE_HEADERS,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaId(type)}` } } } },
          responses: {
            '200': { description: 'Received (any 2xx).' },
            '410': { description: 'Gone: the endpoint is disabled and gets nothing more.' },
          },
        },
      },
    ]),
  )
}
