import type { FastifyInstance } from 'fastify'
import type { Caller } from '../access/guard.ts'
import { visibleSupplier } from '../access/scope.ts'
import type { AuditContext } from '../audit/audit.ts'
import { NotFoundError, UnprocessableError } from '../common/errors.ts'
import { isConstraintViolation } from '../common/unique-violation.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { TicketCategory, TicketCategoryCreate, WorkingCalendarBody } from './schemas.ts'

const CATEGORY_COLUMNS = `id, "supplierId", code, name, "firstResponseMinutes", "resolutionMinutes", emergency, active`

/** What a supplier sets up for support: its categories with their targets, and its working calendar. */
export function createSupportSetup(app: FastifyInstance) {
  const targetsRefused = () =>
    new UnprocessableError('ticket_category_targets', 'The resolution target cannot come before the first answer.', {
      errors: [{ in: 'body', pointer: '#/resolutionMinutes', detail: 'At least firstResponseMinutes.' }],
    })

  return {
    /** Active categories for anyone; with `staff`, inactive ones too, for that supplier's staff. */
    async categories(supplierId: string, staff?: Caller) {
      if (staff) await visibleSupplier(app, staff, supplierId)
      const all = staff !== undefined
      const rows = await app.db.query<TicketCategory>(
        `SELECT ${CATEGORY_COLUMNS} FROM ticket_category WHERE "supplierId" = $1::uuid AND ($2 OR active) ORDER BY position, name`,
        [supplierId, all],
      )
      return { items: rows }
    },

    async createCategory(context: AuditContext, input: TicketCategoryCreate): Promise<TicketCategory> {
      await visibleSupplier(app, context.caller, input.supplierId)
      if (input.resolutionMinutes < input.firstResponseMinutes) throw targetsRefused()
      return app.transaction(async (tx) => {
        const id = uuidv7()
        const [row] = await tx
          .query<TicketCategory>(
            `INSERT INTO ticket_category (id, "supplierId", code, name, "firstResponseMinutes", "resolutionMinutes", emergency, active)
             VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8) RETURNING ${CATEGORY_COLUMNS}`,
            [id, input.supplierId, input.code, input.name, input.firstResponseMinutes, input.resolutionMinutes, input.emergency ?? false, input.active ?? true],
          )
          .catch((error: unknown) => {
            if (isConstraintViolation(error, 'ticket_category_supplierId_code_key')) {
              throw new UnprocessableError('ticket_category_exists', `The supplier has a category ${input.code} already.`, { errors: [{ in: 'body', pointer: '#/code', detail: 'Taken.' }] })
            }
            throw error
          })
        await app.audit.record(tx, context, { supplierId: input.supplierId, entity: 'ticket_category', entityId: id, action: 'create', after: input })
        return row!
      })
    },

    async updateCategory(context: AuditContext, id: string, input: Partial<Omit<TicketCategoryCreate, 'supplierId' | 'code'>>): Promise<TicketCategory> {
      return app.transaction(async (tx) => {
        await tx.sql`SELECT 1 FROM ticket_category WHERE id = ${id}::uuid FOR UPDATE`
        const [before] = await tx.query<TicketCategory>(`SELECT ${CATEGORY_COLUMNS} FROM ticket_category WHERE id = $1::uuid`, [id])
        const { caller } = context
        if (!before || (caller.role !== 'admin' && caller.supplierId !== before.supplierId)) throw new NotFoundError('ticket_category_not_found', 'No such category.')
        const first = input.firstResponseMinutes ?? before.firstResponseMinutes
        const resolution = input.resolutionMinutes ?? before.resolutionMinutes
        if (resolution < first) throw targetsRefused()
        // Tickets already open keep the deadlines they were given.
        const [row] = await tx.query<TicketCategory>(
          `UPDATE ticket_category SET name = $2, "firstResponseMinutes" = $3, "resolutionMinutes" = $4, emergency = $5, active = $6
           WHERE id = $1::uuid RETURNING ${CATEGORY_COLUMNS}`,
          [id, input.name ?? before.name, first, resolution, input.emergency ?? before.emergency, input.active ?? before.active],
        )
        await app.audit.record(tx, context, { supplierId: before.supplierId, entity: 'ticket_category', entityId: id, action: 'update', before, after: input })
        return row!
      })
    },

    async calendar(caller: Caller, supplierId: string): Promise<WorkingCalendarBody> {
      await visibleSupplier(app, caller, supplierId)
      const week = await app.db.sql<{ weekday: number; opensAt: string; closesAt: string }>`
        SELECT weekday, "opensAt", "closesAt" FROM supplier_working_hours WHERE "supplierId" = ${supplierId}::uuid ORDER BY weekday`
      const days = await app.db.sql<{ date: string; name: string; opensAt: string | null; closesAt: string | null }>`
        SELECT to_char(day, 'YYYY-MM-DD') AS date, name, "opensAt", "closesAt" FROM supplier_calendar_day WHERE "supplierId" = ${supplierId}::uuid ORDER BY day`
      return {
        week,
        days: days.map((d) => ({ date: d.date, ...(d.name ? { name: d.name } : {}), ...(d.opensAt && d.closesAt ? { opensAt: d.opensAt, closesAt: d.closesAt } : {}) })),
      }
    },

    /** Replaces the calendar whole. Deadlines already set stay; new tickets count in the new one. */
    async setCalendar(context: AuditContext, supplierId: string, input: WorkingCalendarBody): Promise<WorkingCalendarBody> {
      await visibleSupplier(app, context.caller, supplierId)
      const refuse = (pointer: string, detail: string) => new UnprocessableError('working_calendar_invalid', detail, { errors: [{ in: 'body', pointer, detail }] })
      const weekdays = new Set<number>()
      input.week.forEach((w, i) => {
        if (weekdays.has(w.weekday)) throw refuse(`#/week/${i}/weekday`, 'Each weekday once.')
        weekdays.add(w.weekday)
        if (w.opensAt >= w.closesAt) throw refuse(`#/week/${i}/closesAt`, 'Closes after it opens.')
      })
      const dates = new Set<string>()
      input.days.forEach((d, i) => {
        if (dates.has(d.date)) throw refuse(`#/days/${i}/date`, 'Each date once.')
        dates.add(d.date)
        if ((d.opensAt === undefined) !== (d.closesAt === undefined)) throw refuse(`#/days/${i}`, 'Give both opensAt and closesAt, or neither (a day off).')
        if (d.opensAt && d.closesAt && d.opensAt >= d.closesAt) throw refuse(`#/days/${i}/closesAt`, 'Closes after it opens.')
      })
      await app.transaction(async (tx) => {
        await tx.sql`DELETE FROM supplier_working_hours WHERE "supplierId" = ${supplierId}::uuid`
        await tx.sql`DELETE FROM supplier_calendar_day WHERE "supplierId" = ${supplierId}::uuid`
        await tx.sql`
          INSERT INTO supplier_working_hours ("supplierId", weekday, "opensAt", "closesAt")
          SELECT ${supplierId}::uuid, * FROM unnest(${input.week.map((w) => w.weekday)}::smallint[], ${input.week.map((w) => w.opensAt)}::text[], ${input.week.map((w) => w.closesAt)}::text[])`
        await tx.sql`
          INSERT INTO supplier_calendar_day ("supplierId", day, name, "opensAt", "closesAt")
          SELECT ${supplierId}::uuid, * FROM unnest(${input.days.map((d) => d.date)}::date[], ${input.days.map((d) => d.name ?? '')}::text[],
            ${input.days.map((d) => d.opensAt ?? null)}::text[], ${input.days.map((d) => d.closesAt ?? null)}::text[])`
        await app.audit.record(tx, context, { supplierId, entity: 'working_calendar', entityId: supplierId, action: 'set', after: { weekdays: input.week.length, days: input.days.length } })
      })
      return this.calendar(context.caller, supplierId)
    },
  }
}

export type SupportSetup = ReturnType<typeof createSupportSetup>
