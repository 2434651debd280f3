import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { localDate, verificationExpired, zonesOf } from '../accounts/meters.ts'
import { addMonths } from '../accounts/periods.ts'
import type { Caller } from '../auth/guard.ts'
import { DomainError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { decodeCursor, encodeCursor } from '../common/cursor.ts'
import type { Meter, Prisma, Reading, ReadingSource } from '../generated/prisma/client.ts'
import {
  consumptionBetween,
  decideWindow,
  fitsCounter,
  formatThousandths,
  isSuspicious,
  toThousandths,
  type ZoneName,
} from './rules.ts'
import type { ReadingAccepted, ReadingListQuery, ReadingView } from './schemas.ts'

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

function viewOf(reading: Reading, meter: Pick<Meter, 'serialNumber' | 'service' | 'zones'>): ReadingView {
  const zones = zonesOf(meter.zones)
  const values = {} as Values
  const consumption = {} as Values
  let hasConsumption = false
  for (const zone of zones) {
    const column = COLUMNS[zone]
    const value = reading[column.value]
    if (value !== null) values[zone] = value.toFixed(3)
    const used = reading[column.consumption]
    if (used !== null) {
      consumption[zone] = used.toFixed(3)
      hasConsumption = true
    }
  }
  return {
    id: reading.id,
    meterId: reading.meterId,
    serialNumber: meter.serialNumber,
    service: meter.service,
    period: periodOfDate(reading.period),
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

interface Evaluation {
  period: string
  outsideWindow: boolean
  window: { from: string; to: string }
  meter: Meter
  values: Map<ZoneName, bigint>
  takenAt: Date
}

function createReadingService(app: FastifyInstance) {
  /** Everything about a reading that needs no lock: who may submit it, for which period, and its values. */
  async function evaluate(caller: Caller, accountId: string, meterId: string, rawValues: Values, takenAtInput?: string): Promise<Evaluation> {
    const account = await app.accounts.findVisible(caller, accountId)
    const { supplier } = account
    if (account.status !== 'active') throw new UnprocessableError('account_closed', 'The account is closed.')
    if (account.readingsCollectedBy && !isStaff(caller)) {
      throw new UnprocessableError(
        'readings_via_management_company',
        `Readings of these premises are taken by ${account.readingsCollectedBy}; submit them there.`,
        { submitTo: account.readingsCollectedBy },
      )
    }
    const meter = account.meters.find((m) => m.id === meterId)
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
      startDay: supplier.readingWindowStartDay,
      endDay: supplier.readingWindowEndDay,
      acceptOutside: supplier.acceptReadingsOutsideWindow || isStaff(caller),
    })
    if (!decision.accepted) {
      throw new UnprocessableError(
        'reading_window_closed',
        `Readings are taken from the ${supplier.readingWindowStartDay}th to the ${supplier.readingWindowEndDay}th; the next window is ${decision.nextWindow.from} to ${decision.nextWindow.to}.`,
        { nextWindow: decision.nextWindow },
      )
    }
    return { period: decision.period, outsideWindow: decision.outsideWindow, window: decision.window, meter, values, takenAt }
  }

  /** Consumption and flags against the meter's history (inside the caller's transaction for a save). */
  async function measure(db: Prisma.TransactionClient, evaluation: Evaluation) {
    const { meter, period, values, takenAt } = evaluation
    const previous = await db.reading.findFirst({
      where: { meterId: meter.id, status: { in: ['accepted', 'billed'] }, period: { lt: periodDate(period) } },
      orderBy: [{ period: 'desc' }, { takenAt: 'desc' }],
    })
    const flags: Flag[] = evaluation.outsideWindow ? ['outside_window'] : []
    const consumption = new Map<ZoneName, bigint>()
    if (previous) {
      if (takenAt < previous.takenAt) {
        throw new UnprocessableError('reading_out_of_order', `The previous reading was taken later (${previous.takenAt.toISOString()}).`)
      }
      for (const [zone, value] of values) {
        const before = previous[COLUMNS[zone].value]
        if (before === null) continue
        const result = consumptionBetween(toThousandths(before.toFixed(3))!, value, meter.digitCapacity)
        if (!result.ok) {
          throw new UnprocessableError('reading_below_previous', `${zone}: lower than the previous reading ${before.toFixed(3)}.`, {
            previous: { zone, value: before.toFixed(3), period: periodOfDate(previous.period) },
          })
        }
        if (result.rolledOver && !flags.includes('rolled_over')) flags.push('rolled_over')
        consumption.set(zone, result.consumption)
      }
      const [average] = await db.$queryRaw<{ average: string | null }[]>`
        SELECT avg(total)::numeric(14, 3)::text AS average FROM (
          SELECT sum(COALESCE("t1Consumption", 0) + COALESCE("t2Consumption", 0) + COALESCE("t3Consumption", 0)) AS total
          FROM reading
          WHERE "meterId" = ${meter.id}::uuid AND status IN ('accepted', 'billed') AND "t1Consumption" IS NOT NULL
            AND period >= ${periodDate(addMonths(period, -12))} AND period < ${periodDate(period)}
          GROUP BY period) monthly`
      const total = [...consumption.values()].reduce((sum, v) => sum + v, 0n)
      const monthly = average?.average ? toThousandths(average.average) : null
      const supplier = await db.supplier.findFirstOrThrow({ where: { accounts: { some: { id: meter.accountId } } }, select: { suspiciousReadingFactor: true } })
      if (isSuspicious(total, monthly, supplier.suspiciousReadingFactor.toFixed(2))) flags.push('suspicious')
    }
    return { consumption, flags }
  }

  async function save(caller: Caller, evaluation: Evaluation, source: ReadingSource, supersedeId?: string): Promise<Reading> {
    return app.prisma.$transaction(async (tx) => {
      // One reading at a time per meter: concurrent submissions see each other, in order.
      await tx.$queryRaw`SELECT id FROM meter WHERE id = ${evaluation.meter.id}::uuid FOR UPDATE`
      const { consumption, flags } = await measure(tx, evaluation)
      // A second reading for the same period replaces the first (it is a correction).
      const earlier = await tx.reading.findFirst({
        where: { meterId: evaluation.meter.id, period: periodDate(evaluation.period), status: { in: ['accepted', 'billed'] } },
      })
      if (earlier?.status === 'billed') throw new DomainError(409, 'reading_locked', 'Conflict', 'The period is billed; its reading can no longer change.')
      if (supersedeId && earlier?.id !== supersedeId) throw new DomainError(409, 'reading_locked', 'Conflict', 'This reading is no longer the current one.')
      if (earlier) {
        await tx.reading.update({ where: { id: earlier.id }, data: { status: 'superseded', changedById: caller.userId, changedAt: new Date() } })
      }
      const data: Prisma.ReadingUncheckedCreateInput = {
        meterId: evaluation.meter.id,
        accountId: evaluation.meter.accountId,
        period: periodDate(evaluation.period),
        t1: '0',
        takenAt: evaluation.takenAt,
        source,
        flags,
        submittedById: caller.userId,
        supersedesId: earlier?.id ?? null,
      }
      for (const [zone, value] of evaluation.values) data[COLUMNS[zone].value] = formatThousandths(value)
      for (const [zone, value] of consumption) data[COLUMNS[zone].consumption] = formatThousandths(value)
      return tx.reading.create({ data })
    })
  }

  function accepted(reading: Reading, evaluation: Evaluation): ReadingAccepted {
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
      const { consumption, flags } = await measure(app.prisma, evaluation)
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
      return { reading: viewOf(reading, reading.meter), versions: chain.map((r) => viewOf(r, reading.meter)) }
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
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return { items: page.map((r) => viewOf(r, r.meter)), nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null }
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
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return { items: page.map((r) => viewOf(r, r.meter)), nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null }
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
