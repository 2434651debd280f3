import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { visibleSupplier } from '../access/scope.ts'
import type { Caller } from '../access/guard.ts'
import type { AuditContext } from '../audit/audit.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { ConflictError, DomainError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { isConstraintViolation } from '../common/unique-violation.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'

/**
 * The date-effective reference tables of billing besides tariffs: a supplier's normatives and the
 * installation's increasing coefficients. One rule for both: versions of one thing never overlap
 * (an exclusion constraint); a version already in force keeps its figures and can only be ended
 * (not before today), so a period billed by it can be billed again the same way; a version not in
 * force yet may be changed or deleted. Every change is audited.
 */

interface Spec {
  table: 'normative' | 'increasing_coefficient'
  entity: string
  /** The columns that name "the same thing" besides the dates. */
  key: readonly string[]
  /** The figures of a version: column, SQL cast, and how it is selected. */
  figures: readonly { column: string; cast: string }[]
  supplierScoped: boolean
  overlapCode: string
}

const SPECS = {
  normatives: {
    table: 'normative',
    entity: 'normative',
    key: ['supplierId', 'service', 'basis'],
    figures: [
      { column: 'quantity', cast: 'numeric' },
      { column: 'unit', cast: 'text' },
    ],
    supplierScoped: true,
    overlapCode: 'normative_overlap',
  },
  coefficients: {
    table: 'increasing_coefficient',
    entity: 'increasing_coefficient',
    key: ['service'],
    figures: [
      { column: 'value', cast: 'numeric' },
      { column: 'source', cast: 'text' },
    ],
    supplierScoped: false,
    overlapCode: 'coefficient_overlap',
  },
} as const satisfies Record<string, Spec>

export type ReferenceKind = keyof typeof SPECS
type Row = Record<string, string | boolean | null> & { id: string; effectiveFrom: string; effectiveTo: string | null; inForce: boolean }

const quote = (column: string) => `"${column}"`

function columnsOf(spec: Spec, today: string) {
  const key = spec.key.map((c) => (c === 'supplierId' ? `${quote(c)}` : `${quote(c)}::text AS ${quote(c)}`))
  const figures = spec.figures.map((f) => (f.cast === 'numeric' ? `${quote(f.column)}::text AS ${quote(f.column)}` : quote(f.column)))
  return `id, ${[...key, ...figures].join(', ')}, to_char("effectiveFrom", 'YYYY-MM-DD') AS "effectiveFrom",
    to_char("effectiveTo", 'YYYY-MM-DD') AS "effectiveTo", "effectiveFrom" <= '${today}'::date AS "inForce"`
}

function invalidDates(detail: string) {
  return new UnprocessableError('effective_dates_invalid', detail, { errors: [{ in: 'body', pointer: '#/effectiveTo', detail }] })
}

function createReferenceService(app: FastifyInstance) {
  /** Today by the installation's clock (UTC): whether a version is in force yet. */
  const today = () => app.config.clock.now().toISOString().slice(0, 10)

  async function one(db: Tx, spec: Spec, id: string, lock = false): Promise<Row | undefined> {
    const rows = await db.query<Row>(`SELECT ${columnsOf(spec, today())} FROM ${spec.table} WHERE id = $1::uuid ${lock ? 'FOR UPDATE' : ''}`, [id])
    return rows[0]
  }

  async function locked(tx: Tx, spec: Spec, caller: Caller, id: string): Promise<Row> {
    // Locked in one statement, read again in the next (what a decision rests on comes after the lock).
    const row = await one(tx, spec, id, true)
    const allowed = row && (!spec.supplierScoped || caller.role === 'admin' || caller.supplierId === row.supplierId)
    if (!allowed) throw new NotFoundError(`${spec.entity}_not_found`, 'No such version.')
    return (await one(tx, spec, id))!
  }

  async function overlapping(spec: Spec, wanted: Record<string, unknown>, exceptId: string | null) {
    const keyMatch = spec.key.map((c, i) => `${quote(c)}::text = $${i + 1}`).join(' AND ')
    const n = spec.key.length
    return app.db.query<Row>(
      `SELECT ${columnsOf(spec, today())} FROM ${spec.table}
       WHERE ${keyMatch} AND daterange("effectiveFrom", "effectiveTo", '[]') && daterange($${n + 1}::date, $${n + 2}::date, '[]')
         AND id IS DISTINCT FROM $${n + 3}::uuid ORDER BY "effectiveFrom"`,
      [...spec.key.map((c) => String(wanted[c])), wanted.effectiveFrom, wanted.effectiveTo ?? null, exceptId],
    )
  }

  async function refusingOverlap<T>(spec: Spec, wanted: () => Record<string, unknown> | undefined, exceptId: string | null, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (isConstraintViolation(error, 'increasing_coefficient_value_check')) {
        throw new UnprocessableError('coefficient_below_one', 'An increasing coefficient is at least 1.', { errors: [{ in: 'body', pointer: '#/value', detail: 'At least 1.' }] })
      }
      const what = wanted()
      if (!what || !isConstraintViolation(error, `${spec.table}_no_overlap`)) throw error
      const overlaps = await overlapping(spec, what, exceptId)
      throw new DomainError(409, spec.overlapCode, 'Conflict', 'Another version of the same thing is in force on some of these days; end it first.', {
        overlaps: overlaps.map((o) => ({ id: o.id, effectiveFrom: o.effectiveFrom, effectiveTo: o.effectiveTo })),
        errors: [{ in: 'body', pointer: '#/effectiveFrom', detail: 'Overlaps another version.' }],
      })
    }
  }

  return {
    async list(kind: ReferenceKind, caller: Caller, query: { supplierId?: string; service?: string; at?: string; limit?: number; cursor?: string }) {
      const spec: Spec = SPECS[kind]
      if (spec.supplierScoped) await visibleSupplier(app, caller, query.supplierId ?? '')
      const limit = query.limit ?? 20
      const after = query.cursor ? (decodeCursor(query.cursor, ['string']) as [string]) : null
      const rows = await app.db.query<Row>(
        `SELECT ${columnsOf(spec, today())} FROM ${spec.table}
         WHERE ($1::uuid IS NULL OR ${spec.supplierScoped ? '"supplierId" = $1::uuid' : 'true'})
           AND ($2::text IS NULL OR service::text = $2)
           AND ($3::date IS NULL OR ("effectiveFrom" <= $3::date AND ("effectiveTo" IS NULL OR "effectiveTo" >= $3::date)))
           AND ($4::uuid IS NULL OR id > $4::uuid)
         ORDER BY id LIMIT $5`,
        [spec.supplierScoped ? query.supplierId : null, query.service ?? null, query.at ?? null, after?.[0] ?? null, limit + 1],
      )
      return pageOf(rows, limit, (row) => [row.id], (row) => row)
    },

    async create(kind: ReferenceKind, context: AuditContext, body: Record<string, unknown> & { service: string; effectiveFrom: string; effectiveTo?: string | null }) {
      const spec: Spec = SPECS[kind]
      let supplierId: string | null = null
      if (spec.supplierScoped) {
        const supplier = await visibleSupplier(app, context.caller, String(body.supplierId))
        supplierId = supplier.id
        if (!supplier.services.includes(body.service as never)) {
          throw new UnprocessableError('service_not_supplied', `${supplier.shortName} does not supply ${body.service}.`, {
            errors: [{ in: 'body', pointer: '#/service', detail: `Supplied: ${supplier.services.join(', ')}.` }],
          })
        }
      }
      const effectiveTo = body.effectiveTo ?? null
      if (effectiveTo !== null && effectiveTo < body.effectiveFrom) throw invalidDates('The last day in force comes before the first.')
      const columns = [...spec.key, ...spec.figures.map((f) => f.column), 'effectiveFrom', 'effectiveTo']
      const casts = [...spec.key.map((c) => (c === 'supplierId' ? 'uuid' : c === 'service' ? '"Service"' : '"NormativeBasis"')), ...spec.figures.map((f) => f.cast), 'date', 'date']
      const values = [...spec.key.map((c) => body[c] ?? null), ...spec.figures.map((f) => body[f.column] ?? null), body.effectiveFrom, effectiveTo]
      const wanted = { ...body, effectiveTo }
      return refusingOverlap(spec, () => wanted, null, () =>
        app.transaction(async (tx) => {
          const [created] = await tx.query<{ id: string }>(
            `INSERT INTO ${spec.table} (id, ${columns.map(quote).join(', ')}, "updatedAt")
             VALUES ($${casts.length + 1}::uuid, ${casts.map((cast, i) => `$${i + 1}::${cast}`).join(', ')}, now()) RETURNING id`,
            [...values, uuidv7()],
          )
          const view = (await one(tx, spec, created!.id))!
          await app.audit.record(tx, context, { supplierId, entity: spec.entity, entityId: view.id, action: 'create', after: view })
          return view
        }),
      )
    },

    async update(kind: ReferenceKind, context: AuditContext, id: string, patch: Record<string, unknown> & { effectiveTo?: string | null }) {
      const spec: Spec = SPECS[kind]
      let wanted: Record<string, unknown> | undefined
      return refusingOverlap(spec, () => wanted, id, () =>
        app.transaction(async (tx) => {
          const before = await locked(tx, spec, context.caller, id)
          const effectiveTo = patch.effectiveTo === undefined ? before.effectiveTo : patch.effectiveTo
          wanted = { ...before, effectiveTo }
          const refigured = spec.figures.some((f) => patch[f.column] !== undefined && patch[f.column] !== before[f.column])
          if (before.inForce && refigured) {
            throw new ConflictError('version_in_force', 'This version is in force: its figures stay as they are. End it and add a new version.')
          }
          if (effectiveTo !== null && effectiveTo < before.effectiveFrom) throw invalidDates(`Must be on or after ${before.effectiveFrom}.`)
          if (before.inForce && effectiveTo !== null && effectiveTo < today()) {
            throw new ConflictError('version_in_force', `A version in force can end today (${today()}) at the earliest.`)
          }
          const sets = spec.figures.map((f, i) => `${quote(f.column)} = COALESCE($${i + 2}::${f.cast}, ${quote(f.column)})`)
          await tx.query(`UPDATE ${spec.table} SET ${sets.join(', ')}, "effectiveTo" = $${sets.length + 2}::date, "updatedAt" = now() WHERE id = $1::uuid`, [
            id,
            ...spec.figures.map((f) => patch[f.column] ?? null),
            effectiveTo,
          ])
          const after = (await one(tx, spec, id))!
          await app.audit.record(tx, context, { supplierId: (before.supplierId as string | undefined) ?? null, entity: spec.entity, entityId: id, action: 'update', before, after })
          return after
        }),
      )
    },

    /** The key rates, newest first: each in force from its day until the next row's. */
    async keyRates() {
      const items = await app.db.sql<{ id: string; effectiveFrom: string; percent: string; inForce: boolean }>`
        SELECT id, to_char("effectiveFrom", 'YYYY-MM-DD') AS "effectiveFrom", percent::text, "effectiveFrom" <= ${today()}::date AS "inForce"
        FROM key_rate ORDER BY "effectiveFrom" DESC`
      return { items }
    },

    async addKeyRate(context: AuditContext, body: { effectiveFrom: string; percent: string }) {
      try {
        return await app.transaction(async (tx) => {
          const [created] = await tx.sql<{ id: string; effectiveFrom: string; percent: string; inForce: boolean }>`
            INSERT INTO key_rate (id, "effectiveFrom", percent, "updatedAt") VALUES (${uuidv7()}::uuid, ${body.effectiveFrom}::date, ${body.percent}::numeric, now())
            RETURNING id, to_char("effectiveFrom", 'YYYY-MM-DD') AS "effectiveFrom", percent::text, "effectiveFrom" <= ${today()}::date AS "inForce"`
          await app.audit.record(tx, context, { supplierId: null, entity: 'key_rate', entityId: created!.id, action: 'create', after: created })
          return created!
        })
      } catch (error) {
        if (!isConstraintViolation(error, 'key_rate_effectiveFrom_key')) throw error
        throw new ConflictError('key_rate_exists', `A key rate from ${body.effectiveFrom} is already there; delete it first if it is wrong.`)
      }
    },

    async removeKeyRate(context: AuditContext, id: string): Promise<void> {
      await app.transaction(async (tx) => {
        await tx.sql`SELECT id FROM key_rate WHERE id = ${id}::uuid FOR UPDATE`
        const [before] = await tx.sql<{ effectiveFrom: string; percent: string; inForce: boolean }>`
          SELECT to_char("effectiveFrom", 'YYYY-MM-DD') AS "effectiveFrom", percent::text, "effectiveFrom" <= ${today()}::date AS "inForce" FROM key_rate WHERE id = ${id}::uuid`
        if (!before) throw new NotFoundError('key_rate_not_found', 'No such key rate.')
        if (before.inForce) throw new ConflictError('version_in_force', 'This key rate has been in force: penalties were computed by it. It stays.')
        await tx.sql`DELETE FROM key_rate WHERE id = ${id}::uuid`
        await app.audit.record(tx, context, { supplierId: null, entity: 'key_rate', entityId: id, action: 'delete', before })
      })
    },

    async remove(kind: ReferenceKind, context: AuditContext, id: string): Promise<void> {
      const spec: Spec = SPECS[kind]
      await app.transaction(async (tx) => {
        const before = await locked(tx, spec, context.caller, id)
        if (before.inForce) throw new ConflictError('version_in_force', 'This version has been in force; it stays. End it instead.')
        await tx.query(`DELETE FROM ${spec.table} WHERE id = $1::uuid`, [id])
        await app.audit.record(tx, context, { supplierId: (before.supplierId as string | undefined) ?? null, entity: spec.entity, entityId: id, action: 'delete', before })
      })
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    references: ReturnType<typeof createReferenceService>
  }
}

export default fp(
  async function referenceService(app: FastifyInstance) {
    app.decorate('references', createReferenceService(app))
  },
  { name: 'reference-service', dependencies: ['prisma', 'audit'] },
)
