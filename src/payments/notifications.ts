import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { formatKopecks, toKopecks } from '../common/money.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import { addJob } from '../jobs/queue.ts'
import { accountsToAllocate, allocatePayments } from './allocation-sql.ts'
import { EXPIRE_PAYMENT_TASK } from './pending-payment.ts'
import { namedPayment } from './provider-accounts.ts'
import type { AnswerFor, IncomingNotification, NotificationFacts, PaymentProvider } from './providers/provider.ts'
import { checkVerdict, decide, type PaymentChange } from './rules.ts'
import { cardContext, type StoredCard } from './autopay-sql.ts'
import { endBySystem, lockPayment, stateOf, writeTransition } from './transitions.ts'

export const APPLY_NOTIFICATION_TASK = 'payments:apply-notification'
export const ALLOCATE_PAYMENTS_TASK = 'payments:allocate'

/** Accounts allocated per transaction by the supplier-wide job. */
const ALLOCATION_BATCH = 500

declare module 'fastify' {
  interface FastifyInstance {
    paymentNotifications: {
      receive(provider: PaymentProvider, notification: IncomingNotification): Promise<AnswerFor>
    }
  }
}

/** NotificationFacts as stored in JSON (amounts as decimal strings). */
interface StoredFacts {
  change: { kind: PaymentChange['kind']; amount?: string | null }
  providerStatus: string
  occurredAt: string | null
  refundId: string | null
  reason: string | null
  /** A card the provider saved, its token sealed (cardContext of the payment). */
  card?: StoredCard | null
}

function storedFacts(facts: NotificationFacts, seal: (token: string) => string): StoredFacts {
  const amount = 'amount' in facts.change && facts.change.amount !== null ? formatKopecks(facts.change.amount) : null
  return {
    change: { kind: facts.change.kind, amount },
    providerStatus: facts.providerStatus,
    occurredAt: facts.occurredAt?.toISOString() ?? null,
    refundId: facts.refundId,
    reason: facts.reason,
    card: facts.card ? { tokenSealed: seal(facts.card.token), mask: facts.card.mask, expires: facts.card.expires } : null,
  }
}

function changeOf(stored: StoredFacts['change'], reason: string | null): PaymentChange {
  const amount = stored.amount == null ? null : toKopecks(stored.amount)
  switch (stored.kind) {
    case 'succeeded':
      return { kind: 'succeeded', amount }
    case 'refund':
      return { kind: 'refund', amount: amount ?? 0n }
    case 'attempt_failed':
      return { kind: 'attempt_failed', reason }
    default:
      return { kind: stored.kind }
  }
}

interface StoredNotification {
  id: string
  paymentId: string | null
  objectId: string
  status: string
  facts: StoredFacts
  receivedAt: Date
}

/**
 * Incoming payment notifications (Medusa's pattern): the route verifies one over its raw bytes
 * and stores it with the job that applies it, in one transaction, and answers at once. Stored
 * once per (provider, object, event), so a repeat — ten at once, or the provider's retry after we
 * crashed before answering — changes nothing. The job applies it through the state machine;
 * what the machine refuses is recorded on the notification for operators, never applied.
 */
export default fp(
  async function paymentNotifications(app: FastifyInstance) {
    async function receive(provider: PaymentProvider, notification: IncomingNotification): Promise<AnswerFor> {
      const verified = await provider.verify(notification, (paymentId) => namedPayment(app.db, app.payments.secretBox, provider.name, paymentId))
      if (!verified.ok) return { kind: 'rejected', reason: verified.reason }
      if ('check' in verified) {
        const { payment, amount } = verified.check
        return { kind: 'check', verdict: checkVerdict(payment, amount, app.config.clock.now()) }
      }
      const { facts } = verified
      // The notification and the job that applies it, in one statement (so one transaction, and
      // one round trip on the hot path of every provider's call); a repeat inserts neither.
      await app.db.sql`
        WITH stored AS (
          INSERT INTO payment_notification (id, provider, "objectId", event, "paymentId", amount, facts, body, "receivedAt")
          VALUES (${uuidv7()}::uuid, ${provider.name}, ${facts.objectId}, ${facts.event},
                  (SELECT id FROM payment WHERE id = ${facts.paymentId}::uuid AND provider = ${provider.name}),
                  ${facts.amount === null ? null : formatKopecks(facts.amount)}::numeric, ${JSON.stringify(storedFacts(facts, (token) => app.payments.secretBox.seal(token, cardContext(facts.paymentId ?? ''))))}::jsonb,
                  ${notification.rawBody.toString('utf8')}, ${notification.receivedAt})
          ON CONFLICT (provider, "objectId", event) DO NOTHING
          RETURNING id)
        SELECT 1 FROM stored, LATERAL graphile_worker.add_job(${APPLY_NOTIFICATION_TASK}, json_build_object('notificationId', stored.id))`
      return { kind: 'accepted' }
    }

    async function settle(tx: Tx, notificationId: string, status: 'applied' | 'ignored' | 'refused', code: string | null, detail: string | null) {
      await tx.sql`
        UPDATE payment_notification SET status = ${status}::"PaymentNotificationStatus", code = ${code}, detail = ${detail}, "processedAt" = ${app.config.clock.now()}
        WHERE id = ${notificationId}::uuid`
    }

    app.jobs.define(APPLY_NOTIFICATION_TASK, async (payload) => {
      const notificationId = String(payload.notificationId)
      await app.transaction(async (tx) => {
        await tx.sql`SELECT 1 FROM payment_notification WHERE id = ${notificationId}::uuid FOR UPDATE`
        const [notification] = await tx.sql<StoredNotification>`
          SELECT id, "paymentId", "objectId", status::text AS status, facts, "receivedAt"
          FROM payment_notification WHERE id = ${notificationId}::uuid`
        if (!notification || notification.status !== 'received') return
        if (!notification.paymentId) {
          await settle(tx, notificationId, 'refused', 'unknown_payment', 'the notification names no payment of ours from this provider')
          return
        }
        const { facts } = notification
        const payment = await lockPayment(tx, notification.paymentId)
        if (!payment) return
        const decision = decide(stateOf(payment), changeOf(facts.change, facts.reason))
        if (decision.kind === 'ignore') return settle(tx, notificationId, 'ignored', decision.code, null)
        if (decision.kind === 'note') {
          await tx.sql`UPDATE payment SET "failureReason" = ${decision.reason ?? 'attempt_failed'}, "updatedAt" = now() WHERE id = ${payment.id}::uuid`
          return settle(tx, notificationId, 'applied', 'attempt_failed', decision.reason)
        }
        if (decision.kind === 'refuse') {
          app.log.warn({ notificationId, paymentId: payment.id, code: decision.code }, decision.detail)
          return settle(tx, notificationId, 'refused', decision.code, decision.detail)
        }
        await writeTransition(tx, payment, {
          decision,
          actor: 'provider',
          at: facts.occurredAt ? new Date(facts.occurredAt) : notification.receivedAt,
          providerStatus: facts.providerStatus,
          notificationId,
          reason: facts.reason,
          externalId: notification.objectId,
          refundId: facts.refundId,
          card: facts.card ?? null,
        }, app.config.payments.penaltiesFirst)
        await settle(tx, notificationId, 'applied', null, null)
      })
    })

    // A payment whose page expired unpaid is canceled, so it no longer shows as on its way.
    app.jobs.define(EXPIRE_PAYMENT_TASK, async (payload) => {
      const paymentId = String(payload.paymentId)
      await app.transaction(async (tx) => {
        const payment = await lockPayment(tx, paymentId)
        if (!payment || payment.status !== 'pending') return
        // The clock decides, not the queue: a job that ran early waits again for what is left.
        const left = (payment.expiresAt?.getTime() ?? 0) - app.config.clock.now().getTime()
        if (left > 0) {
          await addJob(tx, { task: EXPIRE_PAYMENT_TASK, payload: { paymentId }, delayMs: left })
          return
        }
        await endBySystem(tx, payment, { kind: 'canceled', reason: 'expired', at: app.config.clock.now() }, app.config.payments.penaltiesFirst)
      })
    })

    // Receipts issued, payments imported: whose money may now go elsewhere is found and moved,
    // a batch of accounts per transaction.
    app.jobs.define(ALLOCATE_PAYMENTS_TASK, async (payload) => {
      const supplierId = String(payload.supplierId)
      const accounts = await accountsToAllocate(app.db, supplierId)
      for (let i = 0; i < accounts.length; i += ALLOCATION_BATCH) {
        await app.transaction((tx) =>
          allocatePayments(tx, accounts.slice(i, i + ALLOCATION_BATCH), { penaltiesFirst: app.config.payments.penaltiesFirst, at: app.config.clock.now() }),
        )
      }
    })

    app.decorate('paymentNotifications', { receive })
  },
  { name: 'payment-notifications', dependencies: ['payments', 'jobs'] },
)
