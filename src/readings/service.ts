import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { localDate, verificationExpired, zonesOf } from '../accounts/meters.ts'
import { addMonths } from '../accounts/periods.ts'
import type { Caller } from '../auth/guard.ts'
import { DomainError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { uuidv7 } from '../common/uuid.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import type pg from 'pg'
import type { Meter, Reading, ReadingSource } from '../generated/prisma/client.ts'
import {
  consumptionBetween,
  decideWindow,
  fitsCounter,
  formatThousandths,
  isSuspicious,
  toThousandths,
  type ZoneName,
} from './rules.ts'
import { visibleAccounts } from '../accounts/service.ts'
import type { BulkRow } from './bulk.ts'
import type { BulkReadingReport, ReadingAccepted, ReadingListQuery, ReadingView } from './schemas.ts'

type Values = Partial<Record<ZoneName, string>> & { T1: string }
type Flag = ReadingView['flags'][number]

const COLUMNS: Record<ZoneName, { value: 't1' | 't2' | 't3'; consumption: 't1Consumption' | 't2Consumption' | 't3Consumption' }> = {
  T1: { value: 't1', consumption: 't1Consumption' },
  T2: { value: 't2', consumption: 't2Consumption' },
  T3: { value: 't3', consumption: 't3Consumption' },
}

const periodDate = (period: string) => new Date(`${period}-01T00:00:00Z`)
const periodOfDate = (date: Date) => date.toISOString().slice(0, 7)
const isStaff = (caller: Caller) => caller.role === 'operator' || caller.role === 'admin'
const CUSTOMER_BACKDATING_MS = 3 * 86_400_000

/** A reading as both Prisma and raw SQL give it, quantities as exact strings. */
interface ReadingRow {
  id: string
  meterId: string
  period: string
  t1: string | null
  t2: string | null
  t3: string | null
  t1Consumption: string | null
  t2Consumption: string | null
  t3Consumption: string | null
  takenAt: Date
  source: ReadingSource
  status: Reading['status']
  flags: string[]
  supersedesId: string | null
  createdAt: Date
}

function rowOf(reading: Reading): ReadingRow {
  const text = (value: { toFixed(digits: number): string } | null) => value?.toFixed(3) ?? null
  return {
    ...reading,
    period: periodOfDate(reading.period),
    t1: text(reading.t1),
    t2: text(reading.t2),
    t3: text(reading.t3),
    t1Consumption: text(reading.t1Consumption),
    t2Consumption: text(reading.t2Consumption),
    t3Consumption: text(reading.t3Consumption),
  }
}

function viewOf(reading: ReadingRow, meter: Pick<Meter, 'serialNumber' | 'service' | 'zones'>): ReadingView {
  const values = {} as Values
  const consumption = {} as Values
  let hasConsumption = false
  for (const zone of zonesOf(meter.zones)) {
    const column = COLUMNS[zone]
    const value = reading[column.value]
    if (value !== null) values[zone] = value
    const used = reading[column.consumption]
    if (used !== null) {
      consumption[zone] = used
      hasConsumption = true
    }
  }
  return {
    id: reading.id,
    meterId: reading.meterId,
    serialNumber: meter.serialNumber,
    service: meter.service,
    period: reading.period,
    values,
    consumption: hasConsumption ? consumption : null,
    takenAt: reading.takenAt.toISOString(),
    source: reading.source,
    status: reading.status,
    flags: reading.flags as Flag[],
    supersedes: reading.supersedesId,
    submittedAt: reading.createdAt.toISOString(),
  }
}

/** The account, its supplier's rules and the meter, in one query, if the caller may see them. */
interface Target {
  account: { id: string; status: string; readingsCollectedBy: string | null }
  supplier: { timeZone: string; startDay: number; endDay: number; acceptOutside: boolean; suspiciousFactor: string }
  meter: Pick<Meter, 'id' | 'status' | 'zones' | 'digitCapacity' | 'verificationDueAt' | 'serialNumber' | 'service' | 'accountId'> | null
}

/** The meter's reading history that a new reading is measured against (the meter locked, for a save). */
interface MeterHistory {
  previous: { t1: string | null; t2: string | null; t3: string | null; takenAt: string; period: string } | null
  earlier: { id: string; status: string } | null
  average: string | null
}

const READING_COLUMNS = `id, "meterId", to_char(period, 'YYYY-MM') AS period, t1::text, t2::text, t3::text,
  "t1Consumption"::text, "t2Consumption"::text, "t3Consumption"::text, "takenAt", source, status, flags, "supersedesId", "createdAt"`

interface Evaluation {
  period: string
  outsideWindow: boolean
  window: { from: string; to: string }
  meter: NonNullable<Target['meter']>
  suspiciousFactor: string
  values: Map<ZoneName, bigint>
  takenAt: Date
}

function createReadingService(app: FastifyInstance) {
  /** Everything about a reading that needs no lock: who may submit it, for which period, and its values. */
  async function target(caller: Caller, accountId: string, meterId: string): Promise<Target> {
    const { rows } = await app.pgPool.query<{
      id: string
      status: string
      readingsCollectedBy: string | null
      timeZone: string
      startDay: number
      endDay: number
      acceptOutside: boolean
      factor: string
      meter: (Omit<NonNullable<Target['meter']>, 'verificationDueAt'> & { verificationDueAt: string | null }) | null
    }>(
      `SELECT a.id, a.status, a."readingsCollectedBy", s."timeZone", s."readingWindowStartDay" AS "startDay",
              s."readingWindowEndDay" AS "endDay", s."acceptReadingsOutsideWindow" AS "acceptOutside",
              s."suspiciousReadingFactor"::text AS factor,
              (SELECT json_build_object('id', m.id, 'status', m.status, 'zones', m.zones, 'digitCapacity', m."digitCapacity",
                      'verificationDueAt', m."verificationDueAt", 'serialNumber', m."serialNumber", 'service', m.service, 'accountId', m."accountId")
               FROM meter m WHERE m.id = $2::uuid AND m."accountId" = a.id) AS meter
       FROM account a JOIN supplier s ON s.id = a."supplierId"
       WHERE a.id = $1::uuid
         -- The visibility of visibleAccounts(): admins all, operators their supplier's, people their linked accounts.
         AND ($5 = 'admin'
              OR ($5 = 'operator' AND a."supplierId" = $4::uuid)
              OR ($5 NOT IN ('admin', 'operator') AND EXISTS (SELECT 1 FROM user_account ua WHERE ua."accountId" = a.id AND ua."userId" = $3::uuid)))`,
      [accountId, meterId, caller.userId, caller.supplierId, caller.role],
    )
    const row = rows[0]
    if (!row) throw new NotFoundError('account_not_found', 'No such account among yours.')
    return {
      account: { id: row.id, status: row.status, readingsCollectedBy: row.readingsCollectedBy },
      supplier: { timeZone: row.timeZone, startDay: row.startDay, endDay: row.endDay, acceptOutside: row.acceptOutside, suspiciousFactor: row.factor },
      meter: row.meter ? { ...row.meter, verificationDueAt: row.meter.verificationDueAt ? new Date(`${row.meter.verificationDueAt}T00:00:00Z`) : null } : null,
    }
  }

  /** Everything about a reading that needs no lock: who may submit it, for which period, and its values. */
  async function evaluate(caller: Caller, accountId: string, meterId: string, rawValues: Values, takenAtInput?: string): Promise<Evaluation> {
    const { account, supplier, meter } = await target(caller, accountId, meterId)
    if (account.status !== 'active') throw new UnprocessableError('account_closed', 'The account is closed.')
    if (account.readingsCollectedBy && !isStaff(caller)) {
      throw new UnprocessableError(
        'readings_via_management_company',
        `Readings of these premises are taken by ${account.readingsCollectedBy}; submit them there.`,
        { submitTo: account.readingsCollectedBy },
      )
    }
    if (!meter) throw new NotFoundError('meter_not_found', 'No such meter on this account.')
    if (meter.status !== 'active') throw new UnprocessableError('meter_not_active', `This meter is ${meter.status}; submit readings of the meter that replaced it.`)

    const zones = zonesOf(meter.zones)
    const given = Object.keys(rawValues).sort()
    if (given.join() !== [...zones].sort().join()) {
      throw new UnprocessableError('reading_zones_mismatch', `This meter takes values for ${zones.join(', ')}.`, { expectedZones: zones })
    }
    const values = new Map<ZoneName, bigint>()
    for (const zone of zones) {
      const value = toThousandths(rawValues[zone]!)
      if (value === null) throw new UnprocessableError('reading_value_invalid', `${zone}: not a counter value.`)
      if (!fitsCounter(value, meter.digitCapacity)) {
        throw new UnprocessableError('reading_too_many_digits', `${zone}: this meter shows at most ${meter.digitCapacity} digits before the point.`, {
          digitCapacity: meter.digitCapacity,
        })
      }
      values.set(zone, value)
    }

    const now = new Date()
    const takenAt = takenAtInput ? new Date(takenAtInput) : now
    if (takenAt.getTime() > now.getTime() + 5 * 60_000) throw new UnprocessableError('reading_in_future', 'A reading cannot be taken in the future.')
    if (!isStaff(caller) && takenAt.getTime() < now.getTime() - CUSTOMER_BACKDATING_MS) {
      throw new UnprocessableError('reading_too_old', 'A reading must be submitted within 3 days of taking it.')
    }
    const takenOn = localDate(takenAt, supplier.timeZone)
    // The window is the customer's submission date, never a date they type: a backdated reading
    // cannot slip into a closed window. Staff enter readings as of the day they were taken.
    const decidedOn = isStaff(caller) ? takenOn : localDate(now, supplier.timeZone)
    if (verificationExpired(meter.verificationDueAt, takenOn)) {
      throw new UnprocessableError(
        'meter_verification_expired',
        'The meter is past its verification date: it cannot be read until it is verified or replaced. Until then consumption is charged by the average, then by the norm.',
        { verificationDueAt: meter.verificationDueAt!.toISOString().slice(0, 10) },
      )
    }
    // Staff and imports may enter readings outside the window: they count for the next one.
    const decision = decideWindow(decidedOn, {
      startDay: supplier.startDay,
      endDay: supplier.endDay,
      acceptOutside: supplier.acceptOutside || isStaff(caller),
    })
    if (!decision.accepted) {
      throw new UnprocessableError(
        'reading_window_closed',
        `Readings are taken from the ${supplier.startDay}th to the ${supplier.endDay}th; the next window is ${decision.nextWindow.from} to ${decision.nextWindow.to}.`,
        { nextWindow: decision.nextWindow },
      )
    }
    return { period: decision.period, outsideWindow: decision.outsideWindow, window: decision.window, meter, suspiciousFactor: supplier.suspiciousFactor, values, takenAt }
  }

  async function meterHistory(db: pg.ClientBase, evaluation: Evaluation, lock: boolean): Promise<MeterHistory> {
    const period = `${evaluation.period}-01`
    const { rows } = await db.query<MeterHistory>(
      `SELECT
         (SELECT json_build_object('t1', t1::text, 't2', t2::text, 't3', t3::text, 'takenAt', "takenAt", 'period', to_char(period, 'YYYY-MM'))
          FROM reading WHERE "meterId" = m.id AND status IN ('accepted', 'billed') AND period < $2::date
          ORDER BY period DESC, "takenAt" DESC LIMIT 1) AS previous,
         (SELECT json_build_object('id', id, 'status', status)
          FROM reading WHERE "meterId" = m.id AND period = $2::date AND status IN ('accepted', 'billed') LIMIT 1) AS earlier,
         (SELECT avg(total)::numeric(14, 3)::text FROM (
            SELECT sum(COALESCE("t1Consumption", 0) + COALESCE("t2Consumption", 0) + COALESCE("t3Consumption", 0)) AS total
            FROM reading WHERE "meterId" = m.id AND status IN ('accepted', 'billed') AND "t1Consumption" IS NOT NULL
              AND period >= $3::date AND period < $2::date GROUP BY period) monthly) AS average
       FROM meter m WHERE m.id = $1::uuid ${lock ? 'FOR UPDATE OF m' : ''}`,
      [evaluation.meter.id, period, `${addMonths(evaluation.period, -12)}-01`],
    )
    return rows[0] ?? { previous: null, earlier: null, average: null }
  }

  /** Consumption and flags against the meter's history. */
  function measure(history: MeterHistory, evaluation: Evaluation) {
    const { meter, values, takenAt } = evaluation
    const { previous } = history
    const flags: Flag[] = evaluation.outsideWindow ? ['outside_window'] : []
    const consumption = new Map<ZoneName, bigint>()
    if (!previous) return { consumption, flags }
    if (takenAt < new Date(previous.takenAt)) {
      throw new UnprocessableError('reading_out_of_order', `The previous reading was taken later (${new Date(previous.takenAt).toISOString()}).`)
    }
    for (const [zone, value] of values) {
      const before = previous[COLUMNS[zone].value]
      if (before === null) continue
      const result = consumptionBetween(toThousandths(before)!, value, meter.digitCapacity)
      if (!result.ok) {
        throw new UnprocessableError('reading_below_previous', `${zone}: lower than the previous reading ${before}.`, {
          previous: { zone, value: before, period: previous.period },
        })
      }
      if (result.rolledOver && !flags.includes('rolled_over')) flags.push('rolled_over')
      consumption.set(zone, result.consumption)
    }
    const total = [...consumption.values()].reduce((sum, v) => sum + v, 0n)
    if (isSuspicious(total, history.average ? toThousandths(history.average) : null, evaluation.suspiciousFactor)) flags.push('suspicious')
    return { consumption, flags }
  }

  /**
   * Saves a reading: the meter row locked (concurrent submissions for one meter are measured one
   * after the other), an earlier reading of the same period superseded, the new one inserted —
   * four round trips on one connection, no ORM on this hot path.
   */
  async function save(caller: Caller, evaluation: Evaluation, source: ReadingSource, supersedeId?: string): Promise<ReadingRow> {
    const client = await app.pgPool.connect()
    try {
      await client.query('BEGIN')
      const history = await meterHistory(client, evaluation, true)
      const { consumption, flags } = measure(history, evaluation)
      const { earlier } = history
      if (earlier?.status === 'billed') throw new DomainError(409, 'reading_locked', 'Conflict', 'The period is billed; its reading can no longer change.')
      if (supersedeId && earlier?.id !== supersedeId) throw new DomainError(409, 'reading_locked', 'Conflict', 'This reading is no longer the current one.')
      const value = (zone: ZoneName) => {
        const v = evaluation.values.get(zone)
        return v === undefined ? null : formatThousandths(v)
      }
      const used = (zone: ZoneName) => {
        const v = consumption.get(zone)
        return v === undefined ? null : formatThousandths(v)
      }
      const { rows } = await client.query<ReadingRow>(
        `WITH superseded AS (
           UPDATE reading SET status = 'superseded', "changedById" = $14::uuid, "changedAt" = now() WHERE id = $15::uuid RETURNING id)
         INSERT INTO reading (id, "meterId", "accountId", period, t1, t2, t3, "t1Consumption", "t2Consumption", "t3Consumption",
                              "takenAt", source, flags, "submittedById", "supersedesId")
         VALUES ($1, $2, $3, $4::date, $5, $6, $7, $8, $9, $10, $11, $12::"ReadingSource", $13, $14, $15)
         RETURNING ${READING_COLUMNS}`,
        [
          uuidv7(),
          evaluation.meter.id,
          evaluation.meter.accountId,
          `${evaluation.period}-01`,
          value('T1'),
          value('T2'),
          value('T3'),
          used('T1'),
          used('T2'),
          used('T3'),
          evaluation.takenAt,
          source,
          flags,
          caller.userId,
          earlier?.id ?? null,
        ],
      )
      await client.query('COMMIT')
      return rows[0]!
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
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
    const locked = (detail: string) => new DomainError(409, 'reading_locked', 'Conflict', detail)
    if (reading.status === 'billed') throw locked('The period is billed; its reading can no longer change.')
    if (reading.status !== 'accepted') throw locked(`This version is ${reading.status}; change the current one.`)
    if (!isStaff(caller)) {
      const today = localDate(new Date(), account.supplier.timeZone)
      const decision = decideWindow(today, {
        startDay: account.supplier.readingWindowStartDay,
        endDay: account.supplier.readingWindowEndDay,
        acceptOutside: false,
      })
      if (!decision.accepted || decision.period !== periodOfDate(reading.period)) {
        throw locked('The reading window of its period has closed; ask the supplier to correct it.')
      }
    }
    return reading
  }

  return {
    async submit(caller: Caller, accountId: string, input: { meterId: string; values: Values; takenAt?: string }): Promise<ReadingAccepted> {
      const evaluation = await evaluate(caller, accountId, input.meterId, input.values, input.takenAt)
      const reading = await save(caller, evaluation, isStaff(caller) ? 'operator' : 'customer')
      return accepted(reading, evaluation)
    },

    async preview(caller: Caller, accountId: string, input: { meterId: string; values: Values; takenAt?: string }) {
      const evaluation = await evaluate(caller, accountId, input.meterId, input.values, input.takenAt)
      const client = await app.pgPool.connect()
      const history = await meterHistory(client, evaluation, false).finally(() => client.release())
      const { consumption, flags } = measure(history, evaluation)
      const view: Values | null = consumption.size ? (Object.fromEntries([...consumption].map(([z, v]) => [z, formatThousandths(v)])) as Values) : null
      return { period: evaluation.period, outsideWindow: evaluation.outsideWindow, consumption: view, flags }
    },

    async correct(caller: Caller, accountId: string, readingId: string, values: Values): Promise<ReadingAccepted> {
      const reading = await changeable(caller, accountId, readingId)
      const evaluation = await evaluate(caller, accountId, reading.meterId, values)
      if (evaluation.period !== periodOfDate(reading.period)) {
        throw new DomainError(409, 'reading_locked', 'Conflict', 'The reading window of its period has closed.')
      }
      const saved = await save(caller, evaluation, isStaff(caller) ? 'operator' : 'customer', reading.id)
      return accepted(saved, evaluation)
    },

    async cancel(caller: Caller, accountId: string, readingId: string): Promise<void> {
      const reading = await changeable(caller, accountId, readingId)
      const cancelled = await app.prisma.reading.updateMany({
        where: { id: reading.id, status: 'accepted' },
        data: { status: 'cancelled', changedById: caller.userId, changedAt: new Date() },
      })
      if (cancelled.count === 0) throw new DomainError(409, 'reading_locked', 'Conflict', 'This reading changed meanwhile.')
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

    /** Each row on its own (one bad row never stops the others), by the rules of a single submission. */
    async bulk(caller: Caller, rows: BulkRow[]): Promise<BulkReadingReport> {
      const report: BulkReadingReport = { accepted: 0, rejected: 0, results: [] }
      for (const row of rows) {
        let meterId = row.meterId ?? null
        try {
          const meter = await app.prisma.meter.findFirst({
            where: {
              ...(row.meterId ? { id: row.meterId } : { serialNumber: row.serialNumber ?? '', status: 'active' }),
              account: { ...visibleAccounts(caller), ...(row.meterId ? {} : { number: row.accountNumber ?? '' }) },
            },
            select: { id: true, accountId: true },
          })
          if (!meter) throw new NotFoundError('meter_not_found', 'No such meter among your accounts.')
          meterId = meter.id
          const result = await this.submit(caller, meter.accountId, { meterId: meter.id, values: row.values as Values, takenAt: row.takenAt })
          report.accepted++
          report.results.push({ line: row.line, meterId, status: 'accepted', readingId: result.reading.id, period: result.period, code: null, detail: result.detail })
        } catch (error) {
          if (!(error instanceof DomainError)) throw error
          report.rejected++
          report.results.push({ line: row.line, meterId, status: 'rejected', readingId: null, period: null, code: error.code, detail: error.message })
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
  { name: 'reading-service', dependencies: ['prisma', 'accounts-service'] },
)
