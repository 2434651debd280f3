/**
 * Service-level deadlines in a supplier's working time, without I/O. Working hours are per
 * weekday in the supplier's time zone; dates that differ (holidays, working weekend days moved
 * by decree) are data too. An emergency counts clock minutes, round the clock.
 */
export interface Hours {
  /** Minutes since local midnight: opens inclusive, closes exclusive (24:00 = 1440). */
  opens: number
  closes: number
}

export interface WorkingCalendar {
  timeZone: string
  /** 1 = Monday .. 7 = Sunday; a missing weekday is a day off. */
  weekly: Map<number, Hours>
  /** YYYY-MM-DD → that day's hours, or null for a day off; overrides the weekday. */
  days: Map<string, Hours | null>
}

/** When a supplier has set no hours: Monday to Friday, 09:00 to 18:00. */
export const DEFAULT_WEEK: ReadonlyMap<number, Hours> = new Map([1, 2, 3, 4, 5].map((d) => [d, { opens: 9 * 60, closes: 18 * 60 }]))

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return h! * 60 + m!
}

const partsFormat = new Map<string, Intl.DateTimeFormat>()
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = partsFormat.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    partsFormat.set(timeZone, format)
  }
  return format
}

/** The local date and minute of day of an instant, with the seconds kept apart. */
export function localParts(at: Date, timeZone: string): { date: string; minute: number; second: number } {
  const parts = Object.fromEntries(formatFor(timeZone).formatToParts(at).map((p) => [p.type, p.value]))
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.hour) * 60 + Number(parts.minute), second: Number(parts.second) + at.getUTCMilliseconds() / 1000 }
}

/** The instant of a local date and minute in a time zone (the later reading when a clock change repeats it). */
export function instantOf(date: string, minute: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number)
  const naive = Date.UTC(y!, m! - 1, d, 0, minute)
  let guess = naive
  for (let i = 0; i < 3; i++) {
    const seen = localParts(new Date(guess), timeZone)
    const [sy, sm, sd] = seen.date.split('-').map(Number)
    const seenNaive = Date.UTC(sy!, sm! - 1, sd, 0, seen.minute)
    const drift = seenNaive - naive
    if (drift === 0) break
    guess -= drift
  }
  return new Date(guess)
}

export function weekdayOf(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay()
  return day === 0 ? 7 : day
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

export function hoursOn(date: string, calendar: WorkingCalendar): Hours | null {
  if (calendar.days.has(date)) return calendar.days.get(date) ?? null
  return calendar.weekly.get(weekdayOf(date)) ?? null
}

/** The moment `minutes` of working time after `start` have passed. */
export function addWorkingMinutes(start: Date, minutes: number, calendar: WorkingCalendar): Date {
  const local = localParts(start, calendar.timeZone)
  let { date, minute } = local
  // A moment inside a minute counts from the next whole one: deadlines fall on whole minutes.
  if (local.second > 0) minute += 1
  let remaining = minutes
  for (let day = 0; day < 3700; day++) {
    const hours = hoursOn(date, calendar)
    if (hours) {
      const from = Math.max(minute, hours.opens)
      if (from < hours.closes) {
        const available = hours.closes - from
        if (remaining <= available) return instantOf(date, from + remaining, calendar.timeZone)
        remaining -= available
      }
    }
    date = nextDate(date)
    minute = 0
  }
  throw new Error('the working calendar has no working time in ten years')
}

/** A target's deadline: clock minutes for an emergency, working minutes otherwise. */
export function deadline(start: Date, minutes: number, calendar: WorkingCalendar, emergency: boolean): Date {
  return emergency ? new Date(start.getTime() + minutes * 60_000) : addWorkingMinutes(start, minutes, calendar)
}
