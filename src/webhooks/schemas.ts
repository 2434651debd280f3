import { Type, type Static } from 'typebox'
import { PageQuery, Uuid } from '../common/schemas.ts'
import { EVENT_TYPES, TEST_EVENT } from './event-types.ts'

const EXAMPLE_ENDPOINT_ID = '019af3c2-7d10-7c4e-9a51-3f0e2b6d8a14'
const EXAMPLE_SUPPLIER_ID = '019ad0a1-5e2f-7a10-8c3d-4b5e6f708192'

export const EventTypeName = Type.Enum([...EVENT_TYPES], { type: 'string', $id: 'WebhookEventType', description: 'An event integrators can subscribe to.' })

const Url = Type.String({
  minLength: 8,
  maxLength: 2000,
  description: 'https only; must not resolve to a loopback, private, link-local or metadata address (checked again at every connection). Redirects are not followed.',
})
const EventTypes = Type.Array(Type.Enum([...EVENT_TYPES], { type: 'string' }), {
  maxItems: EVENT_TYPES.length,
  uniqueItems: true,
  description: 'Event types delivered here; empty: all of them, including types added later.',
})
const Description = Type.String({ maxLength: 500 })
const ContactEmail = Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()], {
  description: 'Mailed when the endpoint is disabled for failing; null: the supplier’s operators.',
})

export const WebhookEndpointCreate = Type.Object(
  {
    supplierId: Uuid,
    url: Url,
    description: Type.Optional(Description),
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    contactEmail: Type.Optional(ContactEmail),
  },
  {
    $id: 'WebhookEndpointCreate',
    additionalProperties: false,
    examples: [
      {
        supplierId: EXAMPLE_SUPPLIER_ID,
        url: 'https://billing.sibteplo.example/hooks/abonent',
        description: 'Биллинг СибТепло: показания и оплаты',
        eventTypes: ['reading.accepted', 'reading.cancelled', 'payment.succeeded', 'payment.refunded'],
        contactEmail: 'it@sibteplo.example',
      },
    ],
  },
)
export type WebhookEndpointCreate = Static<typeof WebhookEndpointCreate>

export const WebhookEndpointUpdate = Type.Object(
  {
    url: Type.Optional(Url),
    description: Type.Optional(Description),
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(
      Type.Boolean({ description: 'false stops deliveries (what is queued waits); true resumes them, in order, with a fresh retry schedule.' }),
    ),
    contactEmail: Type.Optional(ContactEmail),
  },
  { $id: 'WebhookEndpointUpdate', additionalProperties: false, minProperties: 1, examples: [{ enabled: true }, { eventTypes: ['invoice.issued'] }] },
)
export type WebhookEndpointUpdate = Static<typeof WebhookEndpointUpdate>

const endpointProperties = {
  id: Uuid,
  supplierId: Uuid,
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(Type.Enum([...EVENT_TYPES], { type: 'string' })),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.Enum(['manual', 'gone', 'failing'], { type: 'string' }), Type.Null()], {
    description: 'manual: by a person; gone: the receiver answered 410; failing: no success for WEBHOOK_DISABLE_AFTER_DAYS (its events keep queueing).',
  }),
  disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  contactEmail: Type.Union([Type.String(), Type.Null()]),
  failingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'The first failure since the last success.' }),
  rotationEndsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'During a rotation the old secret also signs (a second signature) until then.',
  }),
  pendingDeliveries: Type.Integer({ minimum: 0, description: 'Deliveries waiting to be sent.' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
}

const endpointExample = {
  id: EXAMPLE_ENDPOINT_ID,
  supplierId: EXAMPLE_SUPPLIER_ID,
  url: 'https://billing.sibteplo.example/hooks/abonent',
  description: 'Биллинг СибТепло: показания и оплаты',
  eventTypes: ['reading.accepted', 'payment.succeeded'],
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  contactEmail: 'it@sibteplo.example',
  failingSince: null,
  rotationEndsAt: null,
  pendingDeliveries: 0,
  createdAt: '2026-12-01T07:00:00.000Z',
  updatedAt: '2026-12-01T07:00:00.000Z',
}

export const WebhookEndpoint = Type.Object(endpointProperties, { $id: 'WebhookEndpoint', additionalProperties: false, examples: [endpointExample] })
export type WebhookEndpoint = Static<typeof WebhookEndpoint>

const Secret = Type.String({
  pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
  description: 'The signing secret (Standard Webhooks). Shown only in this answer: store it now.',
})

export const WebhookEndpointCreated = Type.Object(
  { ...endpointProperties, secret: Secret },
  { $id: 'WebhookEndpointCreated', additionalProperties: false, examples: [{ ...endpointExample, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw0f1/2nxJ4Xo=' }] },
)

export const WebhookSecretRotated = Type.Object(
  {
    secret: Secret,
    rotationEndsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'The old secret also signs until then (null: WEBHOOK_ROTATION_HOURS is 0, it stopped at once).',
    }),
  },
  {
    $id: 'WebhookSecretRotated',
    additionalProperties: false,
    examples: [{ secret: 'whsec_2m5X0Q1b8a7dYV3Kp9eLr4TzWc6HnUjF0sGiAoBqMEk=', rotationEndsAt: '2026-12-02T07:00:00.000Z' }],
  },
)

export const WebhookEndpointListQuery = Type.Object({ supplierId: Uuid, ...PageQuery.properties }, { additionalProperties: false })
export type WebhookEndpointListQuery = Static<typeof WebhookEndpointListQuery>

const AnyEventType = Type.Enum([...EVENT_TYPES, TEST_EVENT], { type: 'string' })
const DeliveryStatus = Type.Enum(['pending', 'sending', 'succeeded', 'failed'], {
  type: 'string',
  description: 'failed: every attempt of its schedule failed, or the receiver answered 410.',
})
const Outcome = Type.Enum(['succeeded', 'failed', 'gone', 'timeout', 'refused', 'error'], {
  type: 'string',
  description: 'succeeded: 2xx in time; failed: another status (redirects included); gone: 410; timeout; refused: an address we do not send to; error: no answer.',
})

export const WebhookDelivery = Type.Object(
  {
    id: Uuid,
    endpointId: Uuid,
    eventId: Uuid,
    webhookId: Type.String({ description: 'The webhook-id header: receivers de-duplicate on it.' }),
    eventType: AnyEventType,
    occurredAt: Type.String({ format: 'date-time' }),
    status: DeliveryStatus,
    attempts: Type.Integer({ minimum: 0 }),
    nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When pending: the next attempt.' }),
    lastAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastOutcome: Type.Union([Outcome, Type.Null()]),
    succeededAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    payload: Type.Unknown({ description: 'The body as sent (the event envelope).' }),
  },
  {
    $id: 'WebhookDelivery',
    additionalProperties: false,
    examples: [
      {
        id: '019af3c9-0b2e-7f41-8d6a-5c4b3a291807',
        endpointId: EXAMPLE_ENDPOINT_ID,
        eventId: '019af3c8-ff01-7a22-9e3b-6d5c4b3a2910',
        webhookId: 'msg_019af3c8ff017a229e3b6d5c4b3a2910',
        eventType: 'payment.succeeded',
        occurredAt: '2026-12-01T09:15:02.120Z',
        status: 'pending',
        attempts: 2,
        nextAttemptAt: '2026-12-01T09:20:07.000Z',
        lastAttemptAt: '2026-12-01T09:15:07.300Z',
        lastOutcome: 'timeout',
        succeededAt: null,
        payload: { id: 'msg_019af3c8ff017a229e3b6d5c4b3a2910', type: 'payment.succeeded', version: 1, timestamp: '2026-12-01T09:15:02.120Z', supplierId: EXAMPLE_SUPPLIER_ID, data: {} },
      },
    ],
  },
)
export type WebhookDelivery = Static<typeof WebhookDelivery>

export const WebhookAttempt = Type.Object(
  {
    id: Uuid,
    deliveryId: Uuid,
    eventId: Uuid,
    eventType: AnyEventType,
    number: Type.Integer({ minimum: 1, description: 'The delivery’s attempts, counted from 1 (redeliveries continue the count).' }),
    startedAt: Type.String({ format: 'date-time' }),
    durationMs: Type.Integer({ minimum: 0 }),
    outcome: Outcome,
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    responseBody: Type.Union([Type.String(), Type.Null()], { description: 'The first 1 KiB of the answer.' }),
  },
  {
    $id: 'WebhookAttempt',
    additionalProperties: false,
    examples: [
      {
        id: '019af3c9-1c3f-7a50-8e7b-6d5c4b3a2918',
        deliveryId: '019af3c9-0b2e-7f41-8d6a-5c4b3a291807',
        eventId: '019af3c8-ff01-7a22-9e3b-6d5c4b3a2910',
        eventType: 'payment.succeeded',
        number: 1,
        startedAt: '2026-12-01T09:15:02.200Z',
        durationMs: 15002,
        outcome: 'timeout',
        statusCode: null,
        error: 'no complete answer in 15000 ms',
        responseBody: null,
      },
    ],
  },
)
export type WebhookAttempt = Static<typeof WebhookAttempt>

const Since = Type.String({ format: 'date-time', description: 'From this moment (inclusive).' })
const Until = Type.String({ format: 'date-time', description: 'Before this moment.' })

export const WebhookDeliveryListQuery = Type.Object(
  { status: Type.Optional(DeliveryStatus), eventType: Type.Optional(AnyEventType), since: Type.Optional(Since), until: Type.Optional(Until), ...PageQuery.properties },
  { additionalProperties: false },
)
export type WebhookDeliveryListQuery = Static<typeof WebhookDeliveryListQuery>

export const WebhookAttemptListQuery = Type.Object(
  {
    outcome: Type.Optional(Outcome),
    deliveryId: Type.Optional(Uuid),
    eventType: Type.Optional(AnyEventType),
    since: Type.Optional(Since),
    until: Type.Optional(Until),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
)
export type WebhookAttemptListQuery = Static<typeof WebhookAttemptListQuery>

export const WebhookRedeliverFailed = Type.Object(
  { since: Type.String({ format: 'date-time', description: 'Failed deliveries of events that happened from then on are sent again, in order.' }) },
  { $id: 'WebhookRedeliverFailed', additionalProperties: false, examples: [{ since: '2026-11-30T00:00:00Z' }] },
)

export const WebhookRedeliveryCount = Type.Object(
  { redelivered: Type.Integer({ minimum: 0 }) },
  { $id: 'WebhookRedeliveryCount', additionalProperties: false, examples: [{ redelivered: 42 }] },
)

export const WebhookTestSent = Type.Object(
  { eventId: Uuid, deliveryId: Uuid, webhookId: Type.String() },
  {
    $id: 'WebhookTestSent',
    additionalProperties: false,
    examples: [{ eventId: '019af3d0-2a1b-7c3d-8e4f-5a6b7c8d9e0f', deliveryId: '019af3d0-2a1c-7d4e-9f50-6b7c8d9e0f1a', webhookId: 'msg_019af3d02a1b7c3d8e4f5a6b7c8d9e0f' }],
  },
)
