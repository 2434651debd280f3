import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { localDate } from '../accounts/meters.ts'
import { visibleSupplier } from '../access/scope.ts'
import type { Caller } from '../access/guard.ts'
import type { AuditContext } from '../audit/audit.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { ConflictError, DomainError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { isConstraintViolation } from '../common/unique-violation.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import type { TariffVersion } from './tariff-split.ts'
import type { TariffCreate, TariffListQuery, TariffUpdate, TariffView } from './tariff-schemas.ts'

const COLUMNS = `t.id, t."supplierId", t.service::text, t.zone, t.basis::text, t.price::text, t.unit,
  to_char(t."effectiveFrom", 'YYYY-MM-DD') AS "effectiveFrom", to_char(t."effectiveTo", 'YYYY-MM-DD') AS "effectiveTo",
  EXISTS (SELECT 1 FROM charge c WHERE c."tariffId" = t.id) AS "inUse"`

/** "52.45" and "52.4500" are one price (exact: no float between them). */
const sameDecimal = (a: string, b: string) => {
  const plain = (d: string) => (d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d)
  return plain(a) === plain(b)
}

declare module 'fastify' {
  interface FastifyInstance {
    tariffs: ReturnType<typeof createTariffService>
  }
}

function overlap(detail: string, conflicting: TariffView[]) {
  return new DomainError(409, 'tariff_overlap', 'Conflict', detail, {
    overlaps: conflicting.map((t) => ({ id: t.id, effectiveFrom: t.effectiveFrom, effectiveTo: t.effectiveTo })),
    errors: [{ in: 'body', pointer: '#/effectiveFrom', detail: 'Another version of this service, zone and basis is in force on some of these days.' }],
  })
}

function createTariffService(app: FastifyInstance) {
  async function one(db: Tx, id: string, lock = false): Promise<TariffView | undefined> {
    const rows = await db.query<TariffView>(`SELECT ${COLUMNS} FROM tariff t WHERE t.id = $1::uuid ${lock ? 'FOR UPDATE OF t' : ''}`, [id])
    return rows[0]
  }

  /** The version the caller may change: its supplier's (operators), any (admins); otherwise not found. */
  async function locked(tx: Tx, caller: Caller, id: string): Promise<TariffView> {
    // Lock in one statement, read in the next: inUse below must see charges committed while we waited.
    const row = await one(tx, id, true)
    if (!row || (caller.role !== 'admin' && caller.supplierId !== row.supplierId)) throw new NotFoundError('tariff_not_found', 'No such tariff.')
    return (await one(tx, id))!
  }

  async function overlapping(db: Tx, t: { supplierId: string; service: string; zone: string; basis: string; effectiveFrom: string; effectiveTo: string | null; id?: string }) {
    return db.query<TariffView>(
      `SELECT ${COLUMNS} FROM tariff t WHERE t."supplierId" = $1::uuid AND t.service = $2::"Service" AND t.zone = $3 AND t.basis = $7::"TariffBasis"
         AND daterange(t."effectiveFrom", t."effectiveTo", '[]') && daterange($4::date, $5::date, '[]') AND t.id IS DISTINCT FROM $6::uuid
       ORDER BY t."effectiveFrom"`,
      [t.supplierId, t.service, t.zone, t.effectiveFrom, t.effectiveTo, t.id ?? null, t.basis],
    )
  }

  /** The last day of the last period a version priced, if any. */
  async function lastPricedDay(tx: Tx, id: string): Promise<string | null> {
    const [row] = await tx.sql<{ last: string | null }>`
      SELECT to_char(max(period) + interval '1 month' - interval '1 day', 'YYYY-MM-DD') AS last FROM charge WHERE "tariffId" = ${id}::uuid`
    return row?.last ?? null
  }

  return {
    async list(caller: Caller, query: TariffListQuery) {
      await visibleSupplier(app, caller, query.supplierId)
      const limit = query.limit ?? 20
      const after = query.cursor ? (decodeCursor(query.cursor, ['string']) as [string]) : null
      const rows = await app.db.query<TariffView>(
        `SELECT ${COLUMNS} FROM tariff t
         WHERE t."supplierId" = $1::uuid AND ($2::"Service" IS NULL OR t.service = $2::"Service")
           AND ($3::date IS NULL OR (t."effectiveFrom" <= $3::date AND (t."effectiveTo" IS NULL OR t."effectiveTo" >= $3::date)))
           AND ($4::uuid IS NULL OR t.id > $4::uuid)
         ORDER BY t.id LIMIT $5`,
        [query.supplierId, query.service ?? null, query.at ?? null, after?.[0] ?? null, limit + 1],
      )
      return pageOf(rows, limit, (row) => [row.id], (row) => row)
    },

    async create(context: AuditContext, body: TariffCreate): Promise<TariffView> {
      const supplier = await visibleSupplier(app, context.caller, body.supplierId)
      const zone = body.zone ?? 'T1'
      const effectiveTo = body.effectiveTo ?? null
      if (!supplier.services.includes(body.service)) {
        throw new UnprocessableError('service_not_supplied', `${supplier.shortName} does not supply ${body.service}.`, {
          errors: [{ in: 'body', pointer: '#/service', detail: `Supplied: ${supplier.services.join(', ')}.` }],
        })
      }
      if (zone !== 'T1' && !(body.service === 'electricity' && body.basis === 'metered')) {
        throw new UnprocessableError('zone_not_applicable', 'Zones T2 and T3 exist only for metered electricity.', {
          errors: [{ in: 'body', pointer: '#/zone', detail: 'Use T1 (single rate).' }],
        })
      }
      if (effectiveTo !== null && effectiveTo < body.effectiveFrom) {
        throw new UnprocessableError('effective_dates_invalid', 'The last day in force comes before the first.', {
          errors: [{ in: 'body', pointer: '#/effectiveTo', detail: 'Must be on or after effectiveFrom.' }],
        })
      }
      const wanted = { supplierId: body.supplierId, service: body.service, zone, basis: body.basis, effectiveFrom: body.effectiveFrom, effectiveTo }
      try {
        return await app.transaction(async (tx) => {
          const [created] = await tx.sql<{ id: string }>`
            INSERT INTO tariff (id, "supplierId", service, zone, basis, price, unit, "effectiveFrom", "effectiveTo", "updatedAt")
            VALUES (${uuidv7()}::uuid, ${body.supplierId}::uuid, ${body.service}::"Service", ${zone}, ${body.basis}::"TariffBasis", ${body.price}::numeric,
                    ${body.unit}, ${body.effectiveFrom}::date, ${effectiveTo}::date, now())
            RETURNING id`
          const view = (await one(tx, created!.id))!
          await app.audit.record(tx, context, { supplierId: body.supplierId, entity: 'tariff', entityId: view.id, action: 'create', after: view })
          return view
        })
      } catch (error) {
        if (!isConstraintViolation(error, 'tariff_no_overlap')) throw error
        throw overlap('Another version of this service, zone and basis is in force on some of these days; end it first.', await overlapping(app.db, wanted))
      }
    },

    async update(context: AuditContext, id: string, patch: TariffUpdate): Promise<TariffView> {
      let wanted: Parameters<typeof overlapping>[1] | undefined
      try {
        return await app.transaction(async (tx) => {
          const before = await locked(tx, context.caller, id)
          const effectiveTo = patch.effectiveTo === undefined ? before.effectiveTo : patch.effectiveTo
          wanted = { ...before, effectiveTo, id }
          const repriced = (patch.price !== undefined && !sameDecimal(patch.price, before.price)) || (patch.unit !== undefined && patch.unit !== before.unit)
          if (before.inUse && repriced) {
            throw new ConflictError('tariff_in_use', 'This version priced charge lines; it can only be ended. Add a new version for the new price.')
          }
          if (effectiveTo !== null && effectiveTo < before.effectiveFrom) {
            throw new UnprocessableError('effective_dates_invalid', 'The last day in force comes before the first.', {
              errors: [{ in: 'body', pointer: '#/effectiveTo', detail: `Must be on or after ${before.effectiveFrom}.` }],
            })
          }
          const last = before.inUse ? await lastPricedDay(tx, id) : null
          if (last && effectiveTo !== null && effectiveTo < last) {
            throw new ConflictError('tariff_in_use', `This version priced charges up to ${last}; it cannot end before that day.`)
          }
          await tx.sql`
            UPDATE tariff SET price = COALESCE(${patch.price ?? null}::numeric, price), unit = COALESCE(${patch.unit ?? null}, unit),
                              "effectiveTo" = ${effectiveTo}::date, "updatedAt" = now()
            WHERE id = ${id}::uuid`
          const after = (await one(tx, id))!
          await app.audit.record(tx, context, { supplierId: after.supplierId, entity: 'tariff', entityId: id, action: 'update', before, after })
          return after
        })
      } catch (error) {
        if (!wanted || !isConstraintViolation(error, 'tariff_no_overlap')) throw error
        throw overlap('The new end runs into another version of this service, zone and basis.', await overlapping(app.db, wanted))
      }
    },

    async remove(context: AuditContext, id: string): Promise<void> {
      await app.transaction(async (tx) => {
        const before = await locked(tx, context.caller, id)
        if (before.inUse) throw new ConflictError('tariff_in_use', 'This version priced charge lines; it stays. End it instead.')
        await tx.sql`DELETE FROM tariff WHERE id = ${id}::uuid`
        await app.audit.record(tx, context, { supplierId: before.supplierId, entity: 'tariff', entityId: id, action: 'delete', before })
      })
    },

    /** The tariffs of an account's services in force today (supplier's calendar) and upcoming. */
    async forAccount(caller: Caller, accountId: string) {
      const account = await app.accounts.findVisible(caller, accountId)
      const today = localDate(app.config.clock.now(), account.supplier.timeZone)
      const rows = await app.db.query<Omit<TariffView, 'id' | 'supplierId' | 'inUse'> & { status: 'in_force' | 'upcoming' }>(
        `SELECT t.service::text, t.zone, t.basis::text, t.price::text, t.unit,
                to_char(t."effectiveFrom", 'YYYY-MM-DD') AS "effectiveFrom", to_char(t."effectiveTo", 'YYYY-MM-DD') AS "effectiveTo",
                CASE WHEN t."effectiveFrom" <= $3::date THEN 'in_force' ELSE 'upcoming' END AS status
         FROM tariff t
         WHERE t."supplierId" = $1::uuid AND t.service = ANY($2::"Service"[]) AND (t."effectiveTo" IS NULL OR t."effectiveTo" >= $3::date)
         ORDER BY t.service, t.zone, t."effectiveFrom"`,
        [account.supplierId, account.services, today],
      )
      return { today, items: rows }
    },

    /** The versions of one service and zone that touch a period, for pricing it. */
    async versionsFor(db: Tx, supplierId: string, service: string, zone: string, period: string): Promise<TariffVersion[]> {
      return db.query<TariffVersion>(
        `SELECT id, to_char("effectiveFrom", 'YYYY-MM-DD') AS "from", to_char("effectiveTo", 'YYYY-MM-DD') AS "to", price::text AS price
         FROM tariff WHERE "supplierId" = $1::uuid AND service = $2::"Service" AND zone = $3 AND basis = 'metered'
           AND daterange("effectiveFrom", "effectiveTo", '[]') && daterange($4::date, ($4::date + interval '1 month')::date, '[)')
         ORDER BY "effectiveFrom"`,
        [supplierId, service, zone, `${period}-01`],
      )
    },
  }
}

export default fp(
  async function tariffService(app: FastifyInstance) {
    app.decorate('tariffs', createTariffService(app))
  },
  { name: 'tariff-service', dependencies: ['prisma', 'audit'] },
)
