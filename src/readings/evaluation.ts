import { localDate, verificationExpired, zonesOf } from '../accounts/meters.ts'
import { NotFoundError, UnprocessableError } from '../common/errors.ts'
import { ordinal } from '../common/wording.ts'
import type { Meter } from '../generated/prisma/client.ts'
import { consumptionBetween, decideWindow, fitsCounter, isSuspicious, toThousandths, type ZoneName } from './rules.ts'
import { COLUMNS, type Flag, type Values } from './views.ts'

/**
 * The rules a reading passes before and after the meter's history is read: pure functions of
 * their inputs (the time included), no I/O.
 */

const CUSTOMER_BACKDATING_MS = 3 * 86_400_000
const FUTURE_TOLERANCE_MS = 5 * 60_000

/** The account, its supplier's rules and the meter, as one query finds them for the caller. */
export interface Target {
  account: { id: string; supplierId: string; status: string; readingsCollectedBy: string | null; services?: string[] }
  supplier: { timeZone: string; startDay: number; endDay: number; acceptOutside: boolean; suspiciousFactor: string }
  meter: Pick<Meter, 'id' | 'status' | 'zones' | 'digitCapacity' | 'verificationDueAt' | 'serialNumber' | 'service' | 'accountId'> | null
}

/** The meter's reading history that a new reading is measured against. */
export interface MeterHistory {
  previous: { t1: string | null; t2: string | null; t3: string | null; takenAt: string; period: string } | null
  earlier: { id: string; status: string } | null
  average: string | null
}

export interface Evaluation {
  period: string
  outsideWindow: boolean
  window: { from: string; to: string }
  meter: NonNullable<Target['meter']>
  suspiciousFactor: string
  values: Map<ZoneName, bigint>
  takenAt: Date
}

/** Who may submit this reading, for which period, with which values. */
export function evaluate(target: Target, input: { staff: boolean; values: Values; takenAt?: string; now: Date }): Evaluation {
  const { account, supplier, meter } = target
  const { staff, now } = input
  if (account.status !== 'active') throw new UnprocessableError('account_closed', 'The account is closed.')
  if (account.readingsCollectedBy && !staff) {
    throw new UnprocessableError(
      'readings_via_management_company',
      `Readings of these premises are taken by ${account.readingsCollectedBy}; submit them there.`,
      { submitTo: account.readingsCollectedBy },
    )
  }
  if (!meter) throw new NotFoundError('meter_not_found', 'No such meter on this account.')
  if (meter.status !== 'active') throw new UnprocessableError('meter_not_active', `This meter is ${meter.status}; submit readings of the meter that replaced it.`)

  const zones = zonesOf(meter.zones)
  const given = Object.keys(input.values).sort()
  if (given.join() !== [...zones].sort().join()) {
    throw new UnprocessableError('reading_zones_mismatch', `This meter takes values for ${zones.join(', ')}.`, { expectedZones: zones })
  }
  const values = new Map<ZoneName, bigint>()
  for (const zone of zones) {
    const value = toThousandths(input.values[zone]!)
    if (value === null) throw new UnprocessableError('reading_value_invalid', `${zone}: not a counter value.`)
    if (!fitsCounter(value, meter.digitCapacity)) {
      throw new UnprocessableError('reading_too_many_digits', `${zone}: this meter shows at most ${meter.digitCapacity} digits before the point.`, {
        digitCapacity: meter.digitCapacity,
      })
    }
    values.set(zone, value)
  }

  const takenAt = input.takenAt ? new Date(input.takenAt) : now
  if (takenAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) throw new UnprocessableError('reading_in_future', 'A reading cannot be taken in the future.')
  if (!staff && takenAt.getTime() < now.getTime() - CUSTOMER_BACKDATING_MS) {
    throw new UnprocessableError('reading_too_old', 'A reading must be submitted within 3 days of taking it.')
  }
  const takenOn = localDate(takenAt, supplier.timeZone)
  // The window is the customer's submission date, never a date they type: a backdated reading
  // cannot slip into a closed window. Staff enter readings as of the day they were taken.
  const decidedOn = staff ? takenOn : localDate(now, supplier.timeZone)
  if (verificationExpired(meter.verificationDueAt, takenOn)) {
    throw new UnprocessableError(
      'meter_verification_expired',
      'The meter is past its verification date: it cannot be read until it is verified or replaced. Until then consumption is charged by the average, then by the norm.',
      { verificationDueAt: meter.verificationDueAt!.toISOString().slice(0, 10) },
    )
  }
  // Staff and imports may enter readings outside the window: they count for the next one.
  const decision = decideWindow(decidedOn, { startDay: supplier.startDay, endDay: supplier.endDay, acceptOutside: supplier.acceptOutside || staff })
  if (!decision.accepted) {
    throw new UnprocessableError(
      'reading_window_closed',
      `Readings are taken from the ${ordinal(supplier.startDay)} to the ${ordinal(supplier.endDay)}; the next window is ${decision.nextWindow.from} to ${decision.nextWindow.to}.`,
      { nextWindow: decision.nextWindow },
    )
  }
  return { period: decision.period, outsideWindow: decision.outsideWindow, window: decision.window, meter, suspiciousFactor: supplier.suspiciousFactor, values, takenAt }
}

/** Consumption and flags against the meter's history. */
export function measure(history: MeterHistory, evaluation: Evaluation): { consumption: Map<ZoneName, bigint>; flags: Flag[] } {
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
