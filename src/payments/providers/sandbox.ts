import { randomUUID } from 'node:crypto'
import { formatKopecks, parseKopecks } from '../../common/money.ts'
import { signStandardWebhook, verifyStandardWebhook, type SignedHeaders } from '../../common/standard-webhooks.ts'
import type { PaymentChange } from '../rules.ts'
import type {
  AnswerFor,
  ChargeInput,
  Charged,
  IncomingNotification,
  NotificationFacts,
  PaymentLookup,
  PaymentProvider,
  ProviderAnswer,
  RefundInput,
  SavedCard,
  StartInput,
  Started,
  VerifyResult,
} from './provider.ts'

/**
 * The sandbox provider: our own page stands in for the provider's, and its buttons send the
 * notification a provider would, signed by Standard Webhooks, to the same route real providers
 * use. A frontend developer can walk the whole flow locally; the money is pretend, so production
 * refuses to enable it (config.ts).
 */
export const SANDBOX_EVENTS = ['payment.succeeded', 'payment.failed', 'payment.canceled', 'refund.succeeded'] as const
export type SandboxEvent = (typeof SANDBOX_EVENTS)[number]

export interface SandboxNotificationBody {
  type: SandboxEvent
  paymentId: string
  objectId: string
  /** The payment's amount, or the refund's. */
  amount: string
  refundId?: string
  occurredAt: string
  reason?: string
  /** On payment.succeeded: the card the sandbox saved for autopay. */
  card?: SavedCard
}

/** The sandbox's saved cards: one that pays, one whose later charges are declined (to try a decline). */
export function sandboxCard(declines: boolean): SavedCard {
  return { token: `sbx_card_${declines ? 'declines_' : ''}${randomUUID().replaceAll('-', '')}`, mask: declines ? '400000******0002' : '400000******0077', expires: '12/30' }
}

const DECLINING_CARD = /^sbx_card_declines_/

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function sandboxObjectId(paymentId: string): string {
  return `sbx_${paymentId.replaceAll('-', '')}`
}

/** A notification as the sandbox sends it: the body and its Standard Webhooks headers. */
export function signSandboxNotification(secret: string, body: SandboxNotificationBody, at: Date): { headers: SignedHeaders; payload: string } {
  const payload = JSON.stringify(body)
  const event = body.type === 'refund.succeeded' ? `refund:${body.refundId}` : body.type
  return { headers: signStandardWebhook(secret, `${body.objectId}:${event}`, at, payload), payload }
}

function changeOf(body: SandboxNotificationBody, amount: bigint): PaymentChange {
  switch (body.type) {
    case 'payment.succeeded':
      return { kind: 'succeeded', amount }
    case 'payment.failed':
      return { kind: 'failed' }
    case 'payment.canceled':
      return { kind: 'canceled' }
    case 'refund.succeeded':
      return { kind: 'refund', amount }
  }
}

/** The body, if it has the sandbox's shape; null otherwise. */
function parseBody(raw: Buffer): (SandboxNotificationBody & { kopecks: bigint }) | null {
  let body: Partial<SandboxNotificationBody>
  try {
    body = JSON.parse(raw.toString('utf8')) as Partial<SandboxNotificationBody>
  } catch {
    return null
  }
  if (!body || typeof body !== 'object' || !SANDBOX_EVENTS.includes(body.type as SandboxEvent)) return null
  if (typeof body.paymentId !== 'string' || !UUID.test(body.paymentId) || typeof body.objectId !== 'string' || body.objectId.length > 100) return null
  const kopecks = typeof body.amount === 'string' ? parseKopecks(body.amount) : null
  if (kopecks === null || kopecks <= 0n) return null
  if (typeof body.occurredAt !== 'string' || Number.isNaN(Date.parse(body.occurredAt))) return null
  if (body.card !== undefined && !(body.type === 'payment.succeeded' && typeof body.card === 'object' && body.card && typeof body.card.token === 'string' && /^sbx_card_\w{1,80}$/.test(body.card.token))) return null
  if (body.type === 'refund.succeeded' && (typeof body.refundId !== 'string' || !/^[\w-]{1,64}$/.test(body.refundId))) return null
  return { ...(body as SandboxNotificationBody), kopecks }
}

export interface SandboxProvider extends PaymentProvider {
  /** Sends a notification as the sandbox's pages do, through the providers' route. */
  send(body: SandboxNotificationBody): Promise<void>
}

export function createSandboxProvider(options: {
  secret: string
  publicApiUrl: string
  toleranceS: number
  now: () => Date
  /** Delivers a signed notification to our route (the app's own HTTP entry, in-process). */
  deliver: (headers: SignedHeaders, payload: string) => Promise<void>
}): SandboxProvider {
  const send = async (body: SandboxNotificationBody) => {
    const { headers, payload } = signSandboxNotification(options.secret, body, options.now())
    await options.deliver(headers, payload)
  }
  return {
    name: 'sandbox',
    send,

    async refund(input: RefundInput): Promise<void> {
      await send({
        type: 'refund.succeeded',
        paymentId: input.paymentId,
        objectId: input.externalId ?? sandboxObjectId(input.paymentId),
        amount: formatKopecks(input.amount),
        refundId: randomUUID().replaceAll('-', ''),
        occurredAt: options.now().toISOString(),
      })
    },

    // The sandbox answers a charge as a provider would and sends its notification: a card saved
    // as declining is refused (with the notification a real provider sends about a decline).
    async charge(input: ChargeInput): Promise<Charged> {
      const objectId = sandboxObjectId(input.paymentId)
      const declines = DECLINING_CARD.test(input.card.token)
      await send({
        type: declines ? 'payment.failed' : 'payment.succeeded',
        paymentId: input.paymentId,
        objectId,
        amount: formatKopecks(input.amount),
        occurredAt: options.now().toISOString(),
        ...(declines ? { reason: 'insufficient_funds' } : {}),
      })
      return declines ? { outcome: 'declined', externalId: objectId, reason: 'insufficient_funds' } : { outcome: 'accepted', externalId: objectId }
    },

    async start(input: StartInput): Promise<Started> {
      return { externalId: sandboxObjectId(input.paymentId), confirmationUrl: `${options.publicApiUrl}/v1/sandbox/payments/${input.paymentId}` }
    },

    async verify(notification: IncomingNotification, _lookup: PaymentLookup): Promise<VerifyResult> {
      const failure = verifyStandardWebhook(options.secret, notification.headers, notification.rawBody, options.now(), options.toleranceS)
      if (failure) return { ok: false, reason: failure }
      const body = parseBody(notification.rawBody)
      if (!body) return { ok: false, reason: 'malformed' }
      const facts: NotificationFacts = {
        objectId: body.objectId,
        event: body.type === 'refund.succeeded' ? `refund:${body.refundId}` : body.type,
        paymentId: body.paymentId,
        change: changeOf(body, body.kopecks),
        amount: body.kopecks,
        providerStatus: body.type,
        occurredAt: new Date(body.occurredAt),
        refundId: body.refundId ?? null,
        reason: typeof body.reason === 'string' ? body.reason.slice(0, 500) : null,
        card: body.card ? { token: body.card.token, mask: typeof body.card.mask === 'string' ? body.card.mask.slice(0, 32) : null, expires: typeof body.card.expires === 'string' ? body.card.expires.slice(0, 5) : null } : null,
      }
      return { ok: true, facts }
    },

    // A refusal is our RFC 9457 problem: the sandbox speaks our protocol.
    answer(outcome: AnswerFor): ProviderAnswer | null {
      return outcome.kind === 'accepted' ? { status: 200, contentType: 'application/json; charset=utf-8', body: '{"received":true}' } : null
    },
  }
}

