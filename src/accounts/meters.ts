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

// Building an Intl.DateTimeFormat costs about 0.1 ms (it loads the zone's rules); every reading
// asks for one, so each zone's formatter is built once. Time zones are few (one per supplier).
const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(kind: 'date' | 'hour', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`
  let format = formatters.get(key)
  if (!format) {
    format =
      kind === 'date'
        ? new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
        : new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' })
    formatters.set(key, format)
  }
  return format
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return formatter('date', timeZone).format(at)
}

/** The hour (0..23) on the wall clock of a time zone. */
export function localHour(at: Date, timeZone: string): number {
  return Number(formatter('hour', timeZone).format(at))
}
