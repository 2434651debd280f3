/** The events integrators can subscribe to; each has a payload schema (event-schemas.ts) and a version. */
export const EVENT_TYPES = [
  'reading.accepted',
  'reading.cancelled',
  'invoice.issued',
  'payment.succeeded',
  'payment.refunded',
  'ticket.created',
  'ticket.updated',
  'account.linked',
  'account.unlinked',
] as const

export type EventType = (typeof EVENT_TYPES)[number]

/** Sent by the test-send action, to one endpoint, whatever its filter. */
export const TEST_EVENT = 'webhook.test'

/**
 * The version of each type's payload. A change that could break a consumer (a member removed,
 * renamed or retyped) is a new version; adding a member is not.
 */
export const PAYLOAD_VERSION: Record<EventType | typeof TEST_EVENT, number> = {
  'reading.accepted': 1,
  'reading.cancelled': 1,
  'invoice.issued': 1,
  'payment.succeeded': 1,
  'payment.refunded': 1,
  'ticket.created': 1,
  'ticket.updated': 1,
  'account.linked': 1,
  'account.unlinked': 1,
  'webhook.test': 1,
}
