/** Pure rules about meters. */

const ZONES = ['T1', 'T2', 'T3'] as const
export type Zone = (typeof ZONES)[number]

export function zonesOf(count: number): Zone[] {
  return ZONES.slice(0, Math.min(Math.max(count, 1), 3))
}

/** A meter is past verification from its due date on, in the supplier's local calendar. */
export function verificationExpired(dueDate: Date | null, today: string): boolean {
  return dueDate !== null && dueDate.toISOString().slice(0, 10) <= today
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

/** The hour (0..23) on the wall clock of a time zone. */
export function localHour(at: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at))
}
