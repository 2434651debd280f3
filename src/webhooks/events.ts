import { Prisma } from '../generated/prisma/client.ts'
import type { Tx } from '../db/transaction.ts'
import { PAYLOAD_VERSION, type EventType } from './event-types.ts'

/** Turns the endpoints that have new deliveries into their delivery jobs (outside the business transaction). */
export const KICK_TASK = 'webhooks:kick'

/**
 * Endpoints that take new events: enabled ones, and those disabled for failing too long (their
 * events wait for them to be enabled again). Manually disabled and gone (410) endpoints do not.
 */
export const RECEIVING_SQL = Prisma.sql`(e.enabled OR e."disabledReason" = 'failing')`

/**
 * Writes events in the caller's transaction, so a change that rolls back emits nothing. `source`
 * gives one row per event: `"supplierId"` uuid and `data` jsonb. One statement whatever the
 * count: the events of suppliers with an endpoint that wants this type, a delivery for each such
 * endpoint, and one job that wakes their delivery. Without such an endpoint the source is not
 * even read (a one-time filter), so emitting costs one cheap statement.
 *
 * No delivery job is queued here: a keyed job would make concurrent transactions of one supplier
 * wait for each other's commit on the job's row; the kick job (unkeyed) does that afterwards.
 */
export async function emitEvents(tx: Tx, type: EventType, at: Date, source: Prisma.Sql): Promise<number> {
  const [row] = await tx.sql<{ n: number }>`
    WITH wanted AS MATERIALIZED (
      SELECT e.id, e."supplierId" FROM webhook_endpoint e
      WHERE ${RECEIVING_SQL} AND (cardinality(COALESCE(e."eventTypes", '{}')) = 0 OR ${type}::text = ANY (e."eventTypes"))),
    ev AS (
      INSERT INTO webhook_event (id, "supplierId", type, version, data, "occurredAt")
      SELECT gen_random_uuid(), s."supplierId", ${type}::text, ${PAYLOAD_VERSION[type]}::smallint, s.data, ${at}::timestamptz
      FROM (${source}) s
      WHERE EXISTS (SELECT 1 FROM wanted) AND s."supplierId" IN (SELECT "supplierId" FROM wanted)
      RETURNING id, seq, "supplierId"),
    d AS (
      INSERT INTO webhook_delivery (id, "endpointId", "eventId", seq, "nextAttemptAt")
      SELECT gen_random_uuid(), w.id, ev.id, ev.seq, ${at}::timestamptz FROM ev JOIN wanted w ON w."supplierId" = ev."supplierId"
      RETURNING "endpointId"),
    kick AS (
      SELECT graphile_worker.add_job(${KICK_TASK}::text, json_build_object('endpointIds', x.ids), max_attempts := 10)
      FROM (SELECT array_agg(DISTINCT "endpointId") AS ids FROM d) x WHERE x.ids IS NOT NULL)
    SELECT (SELECT count(*)::int FROM d) AS n, (SELECT count(*)::int FROM kick) AS kicked`
  return row?.n ?? 0
}
