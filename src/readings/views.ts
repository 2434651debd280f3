import { zonesOf } from '../accounts/meters.ts'
import type { Meter, Reading, ReadingSource } from '../generated/prisma/client.ts'
import type { ZoneName } from './rules.ts'
import type { ReadingView } from './schemas.ts'

export type Values = Partial<Record<ZoneName, string>> & { T1: string }
export type Flag = ReadingView['flags'][number]

export const COLUMNS: Record<ZoneName, { value: 't1' | 't2' | 't3'; consumption: 't1Consumption' | 't2Consumption' | 't3Consumption' }> = {
  T1: { value: 't1', consumption: 't1Consumption' },
  T2: { value: 't2', consumption: 't2Consumption' },
  T3: { value: 't3', consumption: 't3Consumption' },
}

export const periodOfDate = (date: Date) => date.toISOString().slice(0, 7)

/** A reading as both Prisma and raw SQL give it, quantities as exact strings. */
export interface ReadingRow {
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

export function rowOf(reading: Reading): ReadingRow {
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

export function viewOf(reading: ReadingRow, meter: Pick<Meter, 'serialNumber' | 'service' | 'zones'>): ReadingView {
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
