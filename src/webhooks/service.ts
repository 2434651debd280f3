import type { FastifyInstance } from 'fastify'
import { visibleSupplier } from '../access/scope.ts'
import type { AuditContext } from '../audit/audit.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { ConflictError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { DEFAULT_PAGE_SIZE } from '../common/schemas.ts'
import type { SecretBox } from '../common/secret-box.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { AddressRefused, allowedAddresses, checkUrlShape } from './address-guard.ts'
import { deliverJob, envelopeOf } from './delivery.ts'
import { PAYLOAD_VERSION, TEST_EVENT } from './event-types.ts'
import type {
  WebhookAttempt,
  WebhookAttemptListQuery,
  WebhookDelivery,
  WebhookDeliveryListQuery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointListQuery,
  WebhookEndpointUpdate,
} from './schemas.ts'
import { messageId, newWebhookSecret, secretContext } from './signing.ts'

interface EndpointRow {
  id: string
  supplierId: string
  url: string
  description: string
  eventTypes: string[] | null
  enabled: boolean
  disabledReason: string | null
  disabledAt: Date | null
  contactEmail: string | null
  failingSince: Date | null
  previousSecretUntil: Date | null
  pendingDeliveries: number
  createdAt: Date
  updatedAt: Date
}

const ENDPOINT_COLUMNS = Prisma.sql`e.id, e."supplierId", e.url, e.description, e."eventTypes", e.enabled, e."disabledReason", e."disabledAt",
  e."contactEmail", e."failingSince", e."previousSecretUntil", e."createdAt", e."updatedAt",
  (SELECT count(*)::int FROM webhook_delivery d WHERE d."endpointId" = e.id AND d.status IN ('pending', 'sending')) AS "pendingDeliveries"`

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function endpointView(row: EndpointRow, now: Date): WebhookEndpoint {
  return {
    id: row.id,
    supplierId: row.supplierId,
    url: row.url,
    description: row.description,
    eventTypes: (row.eventTypes ?? []) as WebhookEndpoint['eventTypes'],
    enabled: row.enabled,
    disabledReason: row.disabledReason as WebhookEndpoint['disabledReason'],
    disabledAt: iso(row.disabledAt),
    contactEmail: row.contactEmail,
    failingSince: iso(row.failingSince),
    rotationEndsAt: row.previousSecretUntil && row.previousSecretUntil > now ? row.previousSecretUntil.toISOString() : null,
    pendingDeliveries: row.pendingDeliveries,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

interface DeliveryRow {
  id: string
  endpointId: string
  eventId: string
  seq: string
  type: string
  version: number
  data: unknown
  occurredAt: Date
  supplierId: string
  status: WebhookDelivery['status']
  attempts: number
  nextAttemptAt: Date
  lastAttemptAt: Date | null
  lastOutcome: string | null
  succeededAt: Date | null
}

const DELIVERY_COLUMNS = Prisma.sql`d.id, d."endpointId", d."eventId", d.seq::text AS seq, e.type, e.version, e.data, e."occurredAt", e."supplierId",
  d.status::text AS status, d.attempts, d."nextAttemptAt", d."lastAttemptAt", d."lastOutcome", d."succeededAt"`

function deliveryView(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    webhookId: messageId(row.eventId),
    eventType: row.type as WebhookDelivery['eventType'],
    occurredAt: row.occurredAt.toISOString(),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastAttemptAt: iso(row.lastAttemptAt),
    lastOutcome: row.lastOutcome as WebhookDelivery['lastOutcome'],
    succeededAt: iso(row.succeededAt),
    payload: envelopeOf(row),
  }
}

const endpointNotFound = () => new NotFoundError('webhook_endpoint_not_found', 'No such webhook endpoint.')

/** Endpoints of a supplier: what they take, their secrets, their log and redeliveries. Operators of the supplier, and admins. */
export function createWebhookService(app: FastifyInstance, box: SecretBox) {
  const clock = app.config.clock
  const { resolve, allowPrivate, rotationHours } = app.config.webhooks

  /** The URL is one we may send to: refused here with the reason, so nobody learns it at the first event. */
  async function checkUrl(raw: string): Promise<string> {
    const refuse = (code: string, detail: string) =>
      new UnprocessableError(code, detail, { errors: [{ in: 'body', pointer: '#/url', detail }] })
    const shape = checkUrlShape(raw, allowPrivate)
    if (!shape.ok) throw refuse('webhook_url_not_allowed', `Not an endpoint URL: ${shape.reason}.`)
    try {
      await allowedAddresses(shape.hostname, resolve, allowPrivate)
    } catch (error) {
      if (error instanceof AddressRefused && !error.unresolvable) throw refuse('webhook_url_not_allowed', `Not an endpoint URL: ${error.message}.`)
      throw refuse('webhook_url_unresolvable', `${shape.hostname} does not resolve to any address.`)
    }
    return shape.url.toString()
  }

  async function one(db: Tx, endpointId: string): Promise<EndpointRow | undefined> {
    const [row] = await db.sql<EndpointRow>`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoint e WHERE e.id = ${endpointId}::uuid`
    return row
  }

  /** The endpoint, if the caller may see it (another supplier's is "not found"). */
  async function visible(context: Pick<AuditContext, 'caller'>, endpointId: string, db: Tx = app.db): Promise<EndpointRow> {
    const row = await one(db, endpointId)
    const { caller } = context
    if (!row || (caller.role !== 'admin' && caller.supplierId !== row.supplierId)) throw endpointNotFound()
    return row
  }

  /** Locks the endpoint for a change; read again after the lock (READ COMMITTED: the locking statement's snapshot is older). */
  async function locked(tx: Tx, context: AuditContext, endpointId: string): Promise<EndpointRow> {
    await tx.sql`SELECT 1 FROM webhook_endpoint WHERE id = ${endpointId}::uuid FOR UPDATE`
    return visible(context, endpointId, tx)
  }

  async function kick(db: Tx, endpointId: string): Promise<void> {
    await app.jobs.add(db, deliverJob(endpointId))
  }

  return {
    async list(context: Pick<AuditContext, 'caller'>, query: WebhookEndpointListQuery) {
      await visibleSupplier(app, context.caller, query.supplierId)
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? String(decodeCursor(query.cursor, ['string'])[0]) : null
      const rows = await app.db.sql<EndpointRow>`
        SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoint e
        WHERE e."supplierId" = ${query.supplierId}::uuid AND (${after}::uuid IS NULL OR e.id > ${after}::uuid)
        ORDER BY e.id LIMIT ${limit + 1}`
      const now = clock.now()
      return pageOf(rows, limit, (r) => [r.id], (r) => endpointView(r, now))
    },

    async get(context: Pick<AuditContext, 'caller'>, endpointId: string) {
      return endpointView(await visible(context, endpointId), clock.now())
    },

    async create(context: AuditContext, input: WebhookEndpointCreate) {
      await visibleSupplier(app, context.caller, input.supplierId)
      const url = await checkUrl(input.url)
      const id = uuidv7()
      const secret = newWebhookSecret()
      const enabled = input.enabled ?? true
      const now = clock.now()
      return app.transaction(async (tx) => {
        await tx.sql`
          INSERT INTO webhook_endpoint (id, "supplierId", url, description, "eventTypes", enabled, "disabledReason", "disabledAt", "contactEmail", "secretSealed", "createdAt", "updatedAt")
          VALUES (${id}::uuid, ${input.supplierId}::uuid, ${url}, ${input.description ?? ''}, ${input.eventTypes ?? []}::text[], ${enabled},
            ${enabled ? null : 'manual'}, ${enabled ? null : now}::timestamptz, ${input.contactEmail ?? null}, ${box.seal(secret, secretContext(id))}, ${now}, ${now})`
        await app.audit.record(tx, context, {
          supplierId: input.supplierId,
          entity: 'webhook_endpoint',
          entityId: id,
          action: 'create',
          after: { url, eventTypes: input.eventTypes ?? [], enabled, contactEmail: input.contactEmail ?? null },
        })
        return { ...endpointView((await one(tx, id))!, now), secret }
      })
    },

    async update(context: AuditContext, endpointId: string, input: WebhookEndpointUpdate) {
      const url = input.url === undefined ? undefined : await checkUrl(input.url)
      const now = clock.now()
      return app.transaction(async (tx) => {
        const before = await locked(tx, context, endpointId)
        const enabling = input.enabled === true && !before.enabled
        const disabling = input.enabled === false && before.enabled
        await tx.sql`
          UPDATE webhook_endpoint SET
            url = COALESCE(${url ?? null}, url),
            description = COALESCE(${input.description ?? null}, description),
            "eventTypes" = COALESCE(${input.eventTypes ?? null}::text[], "eventTypes"),
            "contactEmail" = CASE WHEN ${input.contactEmail !== undefined} THEN ${input.contactEmail ?? null} ELSE "contactEmail" END,
            enabled = CASE WHEN ${enabling} THEN true WHEN ${disabling} THEN false ELSE enabled END,
            "disabledAt" = CASE WHEN ${enabling} THEN NULL WHEN ${disabling} THEN ${now}::timestamptz ELSE "disabledAt" END,
            "disabledReason" = CASE WHEN ${enabling} THEN NULL WHEN ${disabling} THEN 'manual' ELSE "disabledReason" END,
            "failingSince" = CASE WHEN ${enabling} THEN NULL ELSE "failingSince" END,
            "updatedAt" = ${now}
          WHERE id = ${endpointId}::uuid`
        if (enabling) {
          // What waited goes out now, in order, each on a fresh schedule.
          await tx.sql`
            UPDATE webhook_delivery SET "nextAttemptAt" = LEAST("nextAttemptAt", ${now}::timestamptz), "roundAttempts" = 0
            WHERE "endpointId" = ${endpointId}::uuid AND status = 'pending'`
          await kick(tx, endpointId)
        }
        await app.audit.record(tx, context, {
          supplierId: before.supplierId,
          entity: 'webhook_endpoint',
          entityId: endpointId,
          action: 'update',
          before: { url: before.url, eventTypes: before.eventTypes ?? [], enabled: before.enabled, contactEmail: before.contactEmail },
          after: { ...input, ...(url ? { url } : {}) },
        })
        return endpointView((await one(tx, endpointId))!, now)
      })
    },

    async remove(context: AuditContext, endpointId: string) {
      await app.transaction(async (tx) => {
        const endpoint = await locked(tx, context, endpointId)
        await tx.sql`DELETE FROM webhook_endpoint WHERE id = ${endpointId}::uuid`
        await app.audit.record(tx, context, { supplierId: endpoint.supplierId, entity: 'webhook_endpoint', entityId: endpointId, action: 'delete', before: { url: endpoint.url } })
      })
    },

    /** A new secret signs from now on; the old one signs beside it for WEBHOOK_ROTATION_HOURS. */
    async rotateSecret(context: AuditContext, endpointId: string) {
      const secret = newWebhookSecret()
      const now = clock.now()
      const until = rotationHours > 0 ? new Date(now.getTime() + rotationHours * 3_600_000) : null
      return app.transaction(async (tx) => {
        const endpoint = await locked(tx, context, endpointId)
        await tx.sql`
          UPDATE webhook_endpoint SET "previousSecretSealed" = CASE WHEN ${until}::timestamptz IS NULL THEN NULL ELSE "secretSealed" END,
            "previousSecretUntil" = ${until}::timestamptz, "secretSealed" = ${box.seal(secret, secretContext(endpointId))}, "updatedAt" = ${now}
          WHERE id = ${endpointId}::uuid`
        await app.audit.record(tx, context, { supplierId: endpoint.supplierId, entity: 'webhook_endpoint', entityId: endpointId, action: 'rotate_secret' })
        return { secret, rotationEndsAt: iso(until) }
      })
    },

    /** A `webhook.test` event to this endpoint alone, through the same ordered, logged delivery as any other. */
    async sendTest(context: AuditContext, endpointId: string) {
      const now = clock.now()
      return app.transaction(async (tx) => {
        const endpoint = await locked(tx, context, endpointId)
        if (!endpoint.enabled) throw new ConflictError('webhook_endpoint_disabled', 'The endpoint is disabled; enable it first.')
        const eventId = uuidv7()
        const deliveryId = uuidv7()
        const data = { endpointId, message: 'Проверка доставки' }
        await tx.sql`
          WITH ev AS (
            INSERT INTO webhook_event (id, "supplierId", type, version, data, "occurredAt")
            VALUES (${eventId}::uuid, ${endpoint.supplierId}::uuid, ${TEST_EVENT}, ${PAYLOAD_VERSION[TEST_EVENT]}::smallint, ${JSON.stringify(data)}::jsonb, ${now})
            RETURNING id, seq)
          INSERT INTO webhook_delivery (id, "endpointId", "eventId", seq, "nextAttemptAt") SELECT ${deliveryId}::uuid, ${endpointId}::uuid, ev.id, ev.seq, ${now} FROM ev`
        await kick(tx, endpointId)
        await app.audit.record(tx, context, { supplierId: endpoint.supplierId, entity: 'webhook_endpoint', entityId: endpointId, action: 'test' })
        return { eventId, deliveryId, webhookId: messageId(eventId) }
      })
    },

    async deliveries(context: Pick<AuditContext, 'caller'>, endpointId: string, query: WebhookDeliveryListQuery) {
      await visible(context, endpointId)
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? String(decodeCursor(query.cursor, ['string'])[0]) : null
      const rows = await app.db.sql<DeliveryRow>`
        SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d JOIN webhook_event e ON e.id = d."eventId"
        WHERE d."endpointId" = ${endpointId}::uuid
          AND (${query.status ?? null}::text IS NULL OR d.status::text = ${query.status ?? null}::text)
          AND (${query.eventType ?? null}::text IS NULL OR e.type = ${query.eventType ?? null}::text)
          AND (${query.since ?? null}::timestamptz IS NULL OR e."occurredAt" >= ${query.since ?? null}::timestamptz)
          AND (${query.until ?? null}::timestamptz IS NULL OR e."occurredAt" < ${query.until ?? null}::timestamptz)
          AND (${after}::bigint IS NULL OR d.seq < ${after}::bigint)
        ORDER BY d.seq DESC LIMIT ${limit + 1}`
      return pageOf(rows, limit, (r) => [r.seq], deliveryView)
    },

    async attempts(context: Pick<AuditContext, 'caller'>, endpointId: string, query: WebhookAttemptListQuery) {
      await visible(context, endpointId)
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? String(decodeCursor(query.cursor, ['string'])[0]) : null
      const rows = await app.db.sql<{
        id: string
        deliveryId: string
        eventId: string
        type: string
        number: number
        startedAt: Date
        durationMs: number
        outcome: string
        statusCode: number | null
        error: string | null
        responseBody: string | null
      }>`
        SELECT a.id, a."deliveryId", d."eventId", e.type, a.number, a."startedAt", a."durationMs", a.outcome, a."statusCode", a.error, a."responseBody"
        FROM webhook_attempt a JOIN webhook_delivery d ON d.id = a."deliveryId" JOIN webhook_event e ON e.id = d."eventId"
        WHERE a."endpointId" = ${endpointId}::uuid
          AND (${query.outcome ?? null}::text IS NULL OR a.outcome = ${query.outcome ?? null}::text)
          AND (${query.deliveryId ?? null}::uuid IS NULL OR a."deliveryId" = ${query.deliveryId ?? null}::uuid)
          AND (${query.eventType ?? null}::text IS NULL OR e.type = ${query.eventType ?? null}::text)
          AND (${query.since ?? null}::timestamptz IS NULL OR a."startedAt" >= ${query.since ?? null}::timestamptz)
          AND (${query.until ?? null}::timestamptz IS NULL OR a."startedAt" < ${query.until ?? null}::timestamptz)
          AND (${after}::uuid IS NULL OR a.id < ${after}::uuid)
        ORDER BY a.id DESC LIMIT ${limit + 1}`
      return pageOf(rows, limit, (r) => [r.id], (r): WebhookAttempt => ({
        id: r.id,
        deliveryId: r.deliveryId,
        eventId: r.eventId,
        eventType: r.type as WebhookAttempt['eventType'],
        number: r.number,
        startedAt: r.startedAt.toISOString(),
        durationMs: r.durationMs,
        outcome: r.outcome as WebhookAttempt['outcome'],
        statusCode: r.statusCode,
        error: r.error,
        responseBody: r.responseBody,
      }))
    },

    /** One event again (even one that arrived: the receiver lost it), on a fresh schedule, in its place in the order. */
    async redeliver(context: AuditContext, endpointId: string, deliveryId: string) {
      const now = clock.now()
      return app.transaction(async (tx) => {
        const endpoint = await locked(tx, context, endpointId)
        await tx.sql`SELECT 1 FROM webhook_delivery WHERE id = ${deliveryId}::uuid AND "endpointId" = ${endpointId}::uuid FOR UPDATE`
        const [current] = await tx.sql<{ status: string }>`SELECT status::text AS status FROM webhook_delivery WHERE id = ${deliveryId}::uuid AND "endpointId" = ${endpointId}::uuid`
        if (!current) throw new NotFoundError('webhook_delivery_not_found', 'No such delivery of this endpoint.')
        if (current.status === 'sending') throw new ConflictError('webhook_delivery_in_flight', 'It is being sent right now; look at its attempts.')
        await tx.sql`
          UPDATE webhook_delivery SET status = 'pending', "succeededAt" = NULL, "nextAttemptAt" = ${now}, "roundAttempts" = 0, "claimedAt" = NULL
          WHERE id = ${deliveryId}::uuid`
        await kick(tx, endpointId)
        await app.audit.record(tx, context, { supplierId: endpoint.supplierId, entity: 'webhook_delivery', entityId: deliveryId, action: 'redeliver' })
        const [row] = await tx.sql<DeliveryRow>`SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d JOIN webhook_event e ON e.id = d."eventId" WHERE d.id = ${deliveryId}::uuid`
        return deliveryView(row!)
      })
    },

    /** Every failed delivery of events since a moment, again, in order. */
    async redeliverFailed(context: AuditContext, endpointId: string, since: string) {
      const now = clock.now()
      return app.transaction(async (tx) => {
        const endpoint = await locked(tx, context, endpointId)
        const [row] = await tx.sql<{ n: number }>`
          WITH again AS (
            UPDATE webhook_delivery d SET status = 'pending', "nextAttemptAt" = ${now}, "roundAttempts" = 0
            FROM webhook_event e
            WHERE e.id = d."eventId" AND d."endpointId" = ${endpointId}::uuid AND d.status = 'failed' AND e."occurredAt" >= ${since}::timestamptz
            RETURNING d.id)
          SELECT count(*)::int AS n FROM again`
        if (row!.n > 0) await kick(tx, endpointId)
        await app.audit.record(tx, context, { supplierId: endpoint.supplierId, entity: 'webhook_endpoint', entityId: endpointId, action: 'redeliver_failed', after: { since, count: row!.n } })
        return { redelivered: row!.n }
      })
    },
  }
}

export type WebhookService = ReturnType<typeof createWebhookService>
