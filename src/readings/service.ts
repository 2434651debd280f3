import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { localDate } from '../accounts/meters.ts'
import { periodName } from '../common/periods.ts'
import { visibleAccountSql } from '../access/visibility.ts'
import { auditInsert, type AuditContext } from '../audit/audit.ts'
import { isUuid, uuidv7 } from '../common/uuid.ts'
import { formatKopecks, sumKopecks, toKopecks } from '../common/money.ts'
import { priceOverPeriod, TariffGapError } from '../billing/tariff-split.ts'
import type { Caller } from '../access/guard.ts'
import { displayName } from '../auth/identity.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { ConflictError, DomainError, NotFoundError } from '../common/errors.ts'
import { isUniqueViolation } from '../common/unique-violation.ts'
import type { Tx } from '../db/transaction.ts'
import { emitEvents } from '../webhooks/events.ts'
import { readingEvents } from '../webhooks/payloads.ts'
import { Prisma, type Reading } from '../generated/prisma/client.ts'
import type { BulkRow } from './bulk.ts'
import { evaluate, measure, type Evaluation } from './evaluation.ts'
import { findTarget, insertReading, meterHistory } from './queries.ts'
import { decideWindow, formatThousandths, type ZoneName } from './rules.ts'
import type { BulkReadingReport, ReadingAccepted, ReadingListQuery } from './schemas.ts'
import { periodOfDate, rowOf, viewOf, type Flag, type ReadingRow, type Values } from './views.ts'

export const READING_ACCEPTED_TASK = 'readings:accepted'

/** Wastewater is charged on the volumes of these (DOMAIN.md). */
const WASTEWATER_FROM = new Set(['cold_water', 'hot_water'])

const periodDate = (period: string) => new Date(`${period}-01T00:00:00Z`)
const isStaff = (caller: Caller) => caller.role === 'operator' || caller.role === 'admin'
/** What a save is asked to do: a new reading, or (`supersede`) a correction of the current one of a period. */
interface SaveRequest {
  accountId: string
  meterId: string
  values: Values
  takenAt?: string
  supersede?: { id: string; period: string }
}

const locked = (detail: string) => new DomainError(409, 'reading_locked', 'Conflict', detail)

function createReadingService(app: FastifyInstance) {
  const now = () => app.config.clock.now()

  /** The target and its evaluation; with `lock`, the meter is locked until the unit of work ends. */
  async function evaluateFor(db: Tx, caller: Caller, request: SaveRequest, lock = false) {
    const { accountId, meterId } = request
    // A locking read finds nothing when the meter is missing too; the plain one tells which answer fits.
    const target = (await findTarget(db, caller, accountId, meterId, { lock })) ?? (lock ? await findTarget(db, caller, accountId, meterId) : null)
    if (!target) throw new NotFoundError('account_not_found', 'No such account among yours.')
    return { target, evaluation: evaluate(target, { staff: isStaff(caller), values: request.values, takenAt: request.takenAt, now: now() }) }
  }

  /**
   * Saves a reading in one unit of work of three statements: the target read with its meter
   * locked (submissions for one meter are measured one after the other); the history read after
   * the lock; an earlier reading of the period superseded, the new one inserted and the audit
   * entry written (one statement). The confirmation job is queued only for people who asked for
   * the mail.
   */
  async function save(tx: Tx, context: AuditContext, request: SaveRequest) {
    const { target, evaluation } = await evaluateFor(tx, context.caller, request, true)
    const { supersede } = request
    if (supersede && evaluation.period !== supersede.period) throw locked('The reading window of its period has closed.')
    const history = await meterHistory(tx, evaluation)
    const { consumption, flags } = measure(history, evaluation)
    const { earlier } = history
    if (earlier?.status === 'billed') throw locked('The period is billed; its reading can no longer change.')
    if (supersede && earlier?.id !== supersede.id) throw locked('This reading is no longer the current one.')
    const text = (map: Map<ZoneName, bigint>, zone: ZoneName) => {
      const v = map.get(zone)
      return v === undefined ? null : formatThousandths(v)
    }
    const zones = (map: Map<ZoneName, bigint>) => ({ T1: text(map, 'T1'), T2: text(map, 'T2'), T3: text(map, 'T3') })
    const id = uuidv7()
    const supersedesId = earlier?.id ?? null
    const audit = auditInsert(context, {
      supplierId: target.account.supplierId,
      entity: 'reading',
      entityId: id,
      action: supersede ? 'correct' : 'submit',
      after: { meterId: evaluation.meter.id, period: evaluation.period, values: zones(evaluation.values), flags, supersedes: supersedesId },
    })
    const reading = await insertReading(
      tx,
      { id, evaluation, values: zones(evaluation.values), consumption: zones(consumption), source: isStaff(context.caller) ? 'operator' : 'customer', flags, submittedById: context.caller.userId, supersedesId },
      audit,
    )
    if (target.confirmByMail) await app.jobs.add(tx, { task: READING_ACCEPTED_TASK, payload: { readingId: reading.id } })
    await emitEvents(tx, 'reading.accepted', now(), readingEvents([reading.id]))
    return accepted(reading, evaluation)
  }

  /** One unit of work; the one-current-reading index turns a race that slipped past the lock into one retry, then a 409. */
  async function saveOnce(context: AuditContext, request: SaveRequest): Promise<ReadingAccepted> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await app.transaction((tx) => save(tx, context, request))
      } catch (error) {
        if (!isUniqueViolation(error, 'reading_one_current_per_period')) throw error
        if (attempt >= 2) throw new ConflictError('reading_conflict', 'Another reading of this meter was saved at the same moment; look at the current one and try again.')
      }
    }
  }

  /**
   * What a consumption costs at the tariffs of its period (the "calculator"): the meter's own
   * service, and wastewater on cold and hot water volumes where the account has it. Null when no
   * tariff covers the whole period.
   */
  async function costOf(account: { supplierId: string; services?: string[] }, service: string, period: string, consumption: Values) {
    const services = [service, ...(WASTEWATER_FROM.has(service) && account.services?.includes('wastewater') ? ['wastewater'] : [])]
    const lines = []
    for (const priced of services) {
      for (const [zone, quantity] of Object.entries(consumption) as [ZoneName, string][]) {
        const tariffZone = priced === 'wastewater' ? 'T1' : zone
        const versions = await app.tariffs.versionsFor(app.db, account.supplierId, priced, tariffZone, period)
        try {
          const { segments } = priceOverPeriod(quantity, period, versions)
          lines.push(...segments.map((s) => ({ service: priced, zone: tariffZone, from: s.from, to: s.to, quantity: s.quantity, price: s.price, amount: formatKopecks(s.amount) })))
        } catch (error) {
          if (!(error instanceof TariffGapError)) throw error
          if (priced === service) return null
        }
      }
    }
    if (!lines.length) return null
    return { amount: formatKopecks(sumKopecks(lines.map((l) => toKopecks(l.amount)))), lines }
  }

  function accepted(reading: ReadingRow, evaluation: Evaluation): ReadingAccepted {
    return {
      reading: viewOf(reading, evaluation.meter),
      period: evaluation.period,
      outsideWindow: evaluation.outsideWindow,
      window: evaluation.window,
      detail: evaluation.outsideWindow
        ? `Taken outside the reading window: it counts for ${evaluation.period}.`
        : `Accepted for ${evaluation.period}; it can be corrected until ${evaluation.window.to}.`,
    }
  }

  /** A reading the caller may still change: current, not billed, its window open (staff: until billed). */
  async function changeable(caller: Caller, accountId: string, readingId: string) {
    const account = await app.accounts.findVisible(caller, accountId)
    const reading = await app.prisma.reading.findFirst({ where: { id: readingId, accountId: account.id } })
    if (!reading) throw new NotFoundError('reading_not_found', 'No such reading on this account.')
    if (reading.status === 'billed') throw locked('The period is billed; its reading can no longer change.')
    if (reading.status !== 'accepted') throw locked(`This version is ${reading.status}; change the current one.`)
    if (!isStaff(caller)) {
      const today = localDate(now(), account.supplier.timeZone)
      const decision = decideWindow(today, {
        startDay: account.supplier.readingWindowStartDay,
        endDay: account.supplier.readingWindowEndDay,
        acceptOutside: false,
      })
      if (!decision.accepted || decision.period !== periodOfDate(reading.period)) {
        throw locked('The reading window of its period has closed; ask the supplier to correct it.')
      }
    }
    return { reading, account }
  }

  /** After a reading commits: a confirmation to the customer who sent it, if they take mail. */
  app.jobs.define(READING_ACCEPTED_TASK, async (payload) => {
    await app.transaction(async (tx) => {
      const reading = await tx.reading.findUnique({
        where: { id: String(payload.readingId) },
        include: { meter: true, account: true },
      })
      if (!reading || reading.status !== 'accepted' || reading.source !== 'customer' || !reading.submittedById) return
      const person = await tx.user.findUnique({ where: { id: reading.submittedById } })
      if (!person) return
      if (!person.email || !person.emailConfirmedAt || person.deletedAt || !person.notifyByEmail) return
      const view = viewOf(rowOf(reading), reading.meter)
      const list = (values: Values | null) => (values ? Object.entries(values).map(([zone, v]) => `${zone} ${v}`).join(', ') : null)
      await app.mail.enqueue(tx, {
        template: 'reading_accepted',
        to: person.email,
        name: displayName(person),
        account: reading.account.number,
        meter: reading.meter.serialNumber,
        period: periodName(view.period),
        values: list(view.values)!,
        consumption: list(view.consumption),
        note: reading.flags.includes('outside_window')
          ? 'Показания переданы вне периода приёма и учтены в следующем периоде.'
          : 'До конца периода приёма показания можно исправить в личном кабинете.',
      })
    })
  })

  return {
    async submit(context: AuditContext, accountId: string, input: { meterId: string; values: Values; takenAt?: string }): Promise<ReadingAccepted> {
      return saveOnce(context, { accountId, ...input })
    },

    async preview(caller: Caller, accountId: string, input: { meterId: string; values: Values; takenAt?: string }) {
      const { target, evaluation } = await evaluateFor(app.db, caller, { accountId, ...input })
      const { consumption, flags } = measure(await meterHistory(app.db, evaluation), evaluation)
      const view: Values | null = consumption.size ? (Object.fromEntries([...consumption].map(([z, v]) => [z, formatThousandths(v)])) as Values) : null
      const cost = view ? await costOf(target.account, evaluation.meter.service, evaluation.period, view) : null
      return { period: evaluation.period, outsideWindow: evaluation.outsideWindow, consumption: view, flags, cost }
    },

    async correct(context: AuditContext, accountId: string, readingId: string, values: Values): Promise<ReadingAccepted> {
      const { reading } = await changeable(context.caller, accountId, readingId)
      return saveOnce(context, { accountId, meterId: reading.meterId, values, supersede: { id: reading.id, period: periodOfDate(reading.period) } })
    },

    async cancel(context: AuditContext, accountId: string, readingId: string): Promise<void> {
      const { reading, account } = await changeable(context.caller, accountId, readingId)
      await app.transaction(async (tx) => {
        const cancelled = await tx.reading.updateMany({
          where: { id: reading.id, status: 'accepted' },
          data: { status: 'cancelled', changedById: context.caller.userId, changedAt: now() },
        })
        if (cancelled.count === 0) throw locked('This reading changed meanwhile.')
        await emitEvents(tx, 'reading.cancelled', now(), readingEvents([reading.id]))
        await app.audit.record(tx, context, { supplierId: account.supplierId, entity: 'reading', entityId: reading.id, action: 'cancel' })
      })
    },

    async history(caller: Caller, accountId: string, readingId: string) {
      const account = await app.accounts.findVisible(caller, accountId)
      const reading = await app.prisma.reading.findFirst({ where: { id: readingId, accountId: account.id }, include: { meter: true } })
      if (!reading) throw new NotFoundError('reading_not_found', 'No such reading on this account.')
      const chain: Reading[] = [reading]
      for (let back = reading.supersedesId; back; ) {
        const older = await app.prisma.reading.findUnique({ where: { id: back } })
        if (!older) break
        chain.unshift(older)
        back = older.supersedesId
      }
      for (let next = await app.prisma.reading.findUnique({ where: { supersedesId: reading.id } }); next; ) {
        chain.push(next)
        next = await app.prisma.reading.findUnique({ where: { supersedesId: next.id } })
      }
      return { reading: viewOf(rowOf(reading), reading.meter), versions: chain.map((r) => viewOf(rowOf(r), reading.meter)) }
    },

    async list(caller: Caller, accountId: string, query: ReadingListQuery) {
      const account = await app.accounts.findVisible(caller, accountId)
      const { limit = 20, cursor } = query
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined
      const rows = await app.prisma.reading.findMany({
        where: {
          accountId: account.id,
          ...(query.meterId ? { meterId: query.meterId } : {}),
          ...(query.status ? { status: query.status } : {}),
          period: { ...(query.from ? { gte: periodDate(query.from) } : {}), ...(query.to ? { lte: periodDate(query.to) } : {}) },
          ...(after ? { id: { lt: after[0] } } : {}),
        },
        include: { meter: true },
        orderBy: { id: 'desc' },
        take: limit + 1,
      })
      return pageOf(rows, limit, (r) => [r.id], (r) => viewOf(rowOf(r), r.meter))
    },

    /**
     * Each row on its own (one bad row never stops the others), by the rules of a single
     * submission. The rows' meters are found in one statement for the whole file.
     */
    async bulk(context: AuditContext, rows: BulkRow[]): Promise<BulkReadingReport> {
      const report: BulkReadingReport = { accepted: 0, rejected: 0, results: [] }
      const found = await app.db.query<{ line: number; meterId: string; accountId: string }>(
        Prisma.sql`
          SELECT r.line, m.id AS "meterId", m."accountId"
          FROM unnest(${rows.map((r) => r.line)}::int[], ${rows.map((r) => r.meterId !== undefined)}::boolean[],
                      ${rows.map((r) => (r.meterId && isUuid(r.meterId) ? r.meterId : null))}::uuid[],
                      ${rows.map((r) => r.accountNumber ?? null)}::text[], ${rows.map((r) => r.serialNumber ?? null)}::text[])
               AS r(line, "byId", "meterId", "accountNumber", "serialNumber")
          JOIN LATERAL (
            SELECT m.id, m."accountId" FROM meter m JOIN account a ON a.id = m."accountId"
            WHERE ${visibleAccountSql(context.caller, 'a')}
              AND CASE WHEN r."byId" THEN m.id = r."meterId"
                       ELSE m."serialNumber" = r."serialNumber" AND m.status = 'active' AND a.number = r."accountNumber" END
            LIMIT 1) m ON true`,
      )
      const meters = new Map(found.map((f) => [f.line, f]))
      for (const row of rows) {
        const meter = meters.get(row.line)
        try {
          if (!meter) throw new NotFoundError('meter_not_found', 'No such meter among your accounts.')
          const result = await this.submit(context, meter.accountId, { meterId: meter.meterId, values: row.values as Values, takenAt: row.takenAt })
          report.accepted++
          report.results.push({ line: row.line, meterId: meter.meterId, status: 'accepted', readingId: result.reading.id, period: result.period, code: null, detail: result.detail })
        } catch (error) {
          if (!(error instanceof DomainError)) throw error
          report.rejected++
          report.results.push({ line: row.line, meterId: meter?.meterId ?? (row.meterId && isUuid(row.meterId) ? row.meterId : null), status: 'rejected', readingId: null, period: null, code: error.code, detail: error.message })
        }
      }
      return report
    },

    async flagged(caller: Caller, query: { flag: Flag; supplierId?: string; limit?: number; cursor?: string }) {
      const supplierId = caller.role === 'admin' ? query.supplierId : (caller.supplierId ?? undefined)
      if (caller.role !== 'admin' && query.supplierId && query.supplierId !== caller.supplierId) throw new NotFoundError('supplier_not_found', 'No such supplier.')
      const { limit = 20, cursor } = query
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined
      const rows = await app.prisma.reading.findMany({
        where: {
          flags: { has: query.flag },
          status: 'accepted',
          ...(supplierId ? { account: { supplierId } } : {}),
          ...(after ? { id: { lt: after[0] } } : {}),
        },
        include: { meter: true },
        orderBy: { id: 'desc' },
        take: limit + 1,
      })
      return pageOf(rows, limit, (r) => [r.id], (r) => viewOf(rowOf(r), r.meter))
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    readings: ReturnType<typeof createReadingService>
  }
}

export default fp(
  async function readingService(app: FastifyInstance) {
    app.decorate('readings', createReadingService(app))
  },
  { name: 'reading-service', dependencies: ['prisma', 'accounts-service', 'audit', 'jobs', 'mail'] },
)
