import type { FastifyInstance } from 'fastify'
import { performance } from 'node:perf_hooks'
import type { SecretBox } from '../common/secret-box.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import type { JobSpec } from '../jobs/queue.ts'
import { staffAddresses } from '../mail/recipients.ts'
import { formatLocalTime } from '../mail/templates.ts'
import { failingTooLong, nextRetryDelay, parseRetryAfter } from './delivery-rules.ts'
import type { Sender, SendResult } from './sender.ts'
import { messageId, signingSecrets, signWithAll } from './signing.ts'

export const DELIVER_TASK = 'webhooks:deliver'

/**
 * The delivery job of one endpoint. Its own queue runs the endpoint's jobs one at a time across
 * all workers (events go out in order); its key keeps at most one waiting.
 */
export function deliverJob(endpointId: string, extra: Partial<JobSpec> = {}): JobSpec {
  return { task: DELIVER_TASK, payload: { endpointId }, queue: `webhooks:${endpointId}`, key: `webhooks:deliver:${endpointId}`, maxAttempts: 25, ...extra }
}

// Deliveries claimed and sent in one go; results are written together after them.
const BATCH = 50
// A job hands its worker back after this much sending, so many busy endpoints share the workers.
const WORK_BUDGET_MS = 5_000

interface EndpointRow {
  id: string
  supplierId: string
  supplierName: string
  timeZone: string
  url: string
  enabled: boolean
  contactEmail: string | null
  secretSealed: string
  previousSecretSealed: string | null
  previousSecretUntil: Date | null
  failingSince: Date | null
}

interface QueuedRow {
  id: string
  eventId: string
  status: 'pending' | 'sending'
  nextAttemptAt: Date
  claimedAt: Date | null
  attempts: number
  roundAttempts: number
  type: string
  version: number
  data: unknown
  occurredAt: Date
  supplierId: string
}

interface Sent {
  delivery: QueuedRow
  at: Date
  result: SendResult
}

/** What an integrator receives: the event in the Standard Webhooks envelope. */
export function envelopeOf(row: Pick<QueuedRow, 'eventId' | 'type' | 'version' | 'data' | 'occurredAt' | 'supplierId'>) {
  return { id: messageId(row.eventId), type: row.type, version: row.version, timestamp: row.occurredAt.toISOString(), supplierId: row.supplierId, data: row.data }
}

export function createDelivery(app: FastifyInstance, sender: Sender, box: SecretBox) {
  const clock = app.config.clock
  const { timeoutMs, disableAfterDays } = app.config.webhooks
  // A claim this old belongs to a worker that died while sending.
  const staleClaimMs = timeoutMs + 60_000

  async function later(endpointId: string, at: Date | null, db: Tx = app.db): Promise<void> {
    const delayMs = at ? Math.max(0, at.getTime() - clock.now().getTime()) : 0
    await app.jobs.add(db, deliverJob(endpointId, { delayMs }))
  }

  async function endpointOf(endpointId: string): Promise<EndpointRow | undefined> {
    const [row] = await app.db.sql<EndpointRow>`
      SELECT e.id, e."supplierId", s.name AS "supplierName", s."timeZone", e.url, e.enabled, e."contactEmail", e."secretSealed",
             e."previousSecretSealed", e."previousSecretUntil", e."failingSince"
      FROM webhook_endpoint e JOIN supplier s ON s.id = e."supplierId" WHERE e.id = ${endpointId}::uuid`
    return row
  }

  /** Who hears that an endpoint was disabled: its contact, else the supplier's operators. */
  async function disable(tx: Tx, endpoint: EndpointRow, reason: 'gone' | 'failing', at: Date, lastError: string | null): Promise<void> {
    const [changed] = await tx.sql<{ id: string }>`
      UPDATE webhook_endpoint SET enabled = false, "disabledAt" = ${at}, "disabledReason" = ${reason}, "updatedAt" = now()
      WHERE id = ${endpoint.id}::uuid AND enabled RETURNING id`
    if (!changed) return
    const recipients = endpoint.contactEmail ? [endpoint.contactEmail] : await staffAddresses(tx, { supplierId: endpoint.supplierId })
    for (const to of recipients) {
      await app.mail.enqueue(tx, {
        template: 'webhook_endpoint_disabled',
        to,
        supplier: endpoint.supplierName,
        url: endpoint.url,
        reason: reason === 'gone' ? 'приёмник ответил 410 Gone' : `доставка не удавалась ${disableAfterDays} дн. подряд`,
        since: endpoint.failingSince ? formatLocalTime(endpoint.failingSince, endpoint.timeZone) : null,
        lastError,
        keepsEvents: reason === 'failing',
      })
    }
  }

  /**
   * Writes what a batch did in one transaction: every attempt in the log, the deliveries that
   * succeeded, the one that failed (its next attempt, or the end of its round), the claims that
   * were not sent released, and the endpoint's health. Returns whether the endpoint must wait.
   */
  async function record(endpoint: EndpointRow, claimed: QueuedRow[], sent: Sent[]): Promise<{ wait: boolean }> {
    const last = sent[sent.length - 1]!
    const failure = last.result.outcome === 'succeeded' ? null : last
    const succeeded = failure ? sent.slice(0, -1) : sent
    const unsent = claimed.slice(sent.length).map((d) => d.id)
    let nextAt: Date | null = null
    let gaveUp = false
    if (failure) {
      const delay =
        failure.result.outcome === 'gone'
          ? null
          : nextRetryDelay(failure.delivery.roundAttempts + 1, Math.random(), parseRetryAfter(failure.result.retryAfter, failure.at))
      if (delay === null) gaveUp = true
      else nextAt = new Date(failure.at.getTime() + delay)
    }
    const lastError = failure ? describe(failure.result) : null
    return app.transaction(async (tx) => {
      await tx.sql`
        INSERT INTO webhook_attempt (id, "deliveryId", "endpointId", number, "startedAt", "durationMs", outcome, "statusCode", error, "responseBody")
        SELECT * FROM unnest(${sent.map(() => uuidv7())}::uuid[], ${sent.map((s) => s.delivery.id)}::uuid[], ${sent.map(() => endpoint.id)}::uuid[],
          ${sent.map((s) => s.delivery.attempts + 1)}::int[], ${sent.map((s) => s.at)}::timestamptz[], ${sent.map((s) => s.result.durationMs)}::int[],
          ${sent.map((s) => s.result.outcome)}::text[], ${sent.map((s) => s.result.statusCode)}::smallint[], ${sent.map((s) => s.result.error?.slice(0, 500) ?? null)}::text[],
          ${sent.map((s) => s.result.responseBody)}::text[])`
      if (succeeded.length > 0) {
        await tx.sql`
          UPDATE webhook_delivery d SET status = 'succeeded', "succeededAt" = u.at, "lastAttemptAt" = u.at, "lastOutcome" = 'succeeded',
            attempts = d.attempts + 1, "roundAttempts" = d."roundAttempts" + 1, "claimedAt" = NULL
          FROM unnest(${succeeded.map((s) => s.delivery.id)}::uuid[], ${succeeded.map((s) => s.at)}::timestamptz[]) AS u(id, at)
          WHERE d.id = u.id AND d.status = 'sending'`
      }
      if (failure) {
        await tx.sql`
          UPDATE webhook_delivery SET status = ${gaveUp ? 'failed' : 'pending'}::"WebhookDeliveryStatus", "nextAttemptAt" = COALESCE(${nextAt}::timestamptz, "nextAttemptAt"),
            "lastAttemptAt" = ${failure.at}, "lastOutcome" = ${failure.result.outcome}, attempts = attempts + 1, "roundAttempts" = "roundAttempts" + 1, "claimedAt" = NULL
          WHERE id = ${failure.delivery.id}::uuid AND status = 'sending'`
      }
      if (unsent.length > 0) {
        await tx.sql`UPDATE webhook_delivery SET status = 'pending', "claimedAt" = NULL WHERE id = ANY (${unsent}::uuid[]) AND status = 'sending'`
      }
      const [health] = await tx.sql<{ failingSince: Date | null }>`
        UPDATE webhook_endpoint SET "failingSince" = CASE WHEN ${failure === null} THEN NULL ELSE COALESCE("failingSince", ${last.at}::timestamptz) END
        WHERE id = ${endpoint.id}::uuid RETURNING "failingSince"`
      if (failure?.result.outcome === 'gone') {
        await disable(tx, endpoint, 'gone', failure.at, lastError)
        return { wait: true }
      }
      if (failure && failingTooLong(health?.failingSince ?? null, failure.at, disableAfterDays * 86_400_000)) {
        await disable(tx, { ...endpoint, failingSince: health!.failingSince }, 'failing', failure.at, lastError)
        return { wait: true }
      }
      if (nextAt) await later(endpoint.id, nextAt, tx)
      return { wait: nextAt !== null }
    })
  }

  /**
   * Sends the endpoint's due deliveries in order until one fails (then the job comes back when
   * its next attempt is due), none is left, or the work budget is spent (then it queues itself
   * again behind other endpoints' jobs).
   */
  async function deliver(endpointId: string): Promise<void> {
    const began = performance.now()
    for (;;) {
      const endpoint = await endpointOf(endpointId)
      if (!endpoint?.enabled) return
      const now = clock.now()
      const queued = await app.db.sql<QueuedRow>`
        SELECT d.id, d."eventId", d.status::text AS status, d."nextAttemptAt", d."claimedAt", d.attempts, d."roundAttempts",
               e.type, e.version, e.data, e."occurredAt", e."supplierId"
        FROM webhook_delivery d JOIN webhook_event e ON e.id = d."eventId"
        WHERE d."endpointId" = ${endpointId}::uuid AND d.status IN ('pending', 'sending')
        ORDER BY d.seq LIMIT ${BATCH}`
      const head = queued[0]
      if (!head) return
      if (head.status === 'sending') {
        const staleAt = new Date(head.claimedAt!.getTime() + staleClaimMs)
        if (staleAt > now) return later(endpointId, staleAt)
        // The receiver may get these twice (it de-duplicates on webhook-id); never zero times.
        await app.db.sql`
          UPDATE webhook_delivery SET status = 'pending', "claimedAt" = NULL
          WHERE "endpointId" = ${endpointId}::uuid AND status = 'sending' AND "claimedAt" <= ${new Date(now.getTime() - staleClaimMs)}`
        continue
      }
      if (head.nextAttemptAt > now) return later(endpointId, head.nextAttemptAt)
      const due: QueuedRow[] = []
      for (const row of queued) {
        if (row.status !== 'pending' || row.nextAttemptAt > now) break
        due.push(row)
      }
      // The claim is the guard against a second sender: only one UPDATE turns a row to sending.
      const claimedIds = new Set(
        (
          await app.db.sql<{ id: string }>`
            UPDATE webhook_delivery SET status = 'sending', "claimedAt" = ${now}
            WHERE id = ANY (${due.map((d) => d.id)}::uuid[]) AND status = 'pending' RETURNING id`
        ).map((r) => r.id),
      )
      const claimed: QueuedRow[] = []
      for (const row of due) {
        if (!claimedIds.has(row.id)) break
        claimed.push(row)
      }
      // Claims out of order (another sender took an earlier one) go back at once for whoever is first.
      const stray = [...claimedIds].filter((id) => !claimed.some((row) => row.id === id))
      if (stray.length > 0) await app.db.sql`UPDATE webhook_delivery SET status = 'pending', "claimedAt" = NULL WHERE id = ANY (${stray}::uuid[]) AND status = 'sending'`
      if (claimed.length === 0) return
      const secrets = signingSecrets(box, endpoint, now)
      const sent: Sent[] = []
      for (const delivery of claimed) {
        const at = clock.now()
        const body = JSON.stringify(envelopeOf(delivery))
        const result = await sender.send(endpoint.url, signWithAll(secrets, messageId(delivery.eventId), at, body), body)
        sent.push({ delivery, at, result })
        if (result.outcome !== 'succeeded') break
      }
      const { wait } = await record(endpoint, claimed, sent)
      if (wait) return
      if (performance.now() - began > WORK_BUDGET_MS) return later(endpointId, null)
    }
  }

  return { deliver, later }
}

function describe(result: SendResult): string {
  const status = result.statusCode === null ? '' : `HTTP ${result.statusCode}`
  return [status, result.error, result.responseBody?.slice(0, 200)].filter(Boolean).join(': ')
}
