import type { Tx } from '../db/transaction.ts'
import { DEFAULT_WEEK, minutesOf, type Hours, type WorkingCalendar } from './sla.ts'

/**
 * A supplier's working calendar as data: its weekly hours (Monday to Friday 09–18 when none are
 * set) and its special days from a week before `now` (the injected clock's, not the database's
 * date: a test's November holiday must still count on a machine whose clock says December).
 */
export async function calendarOf(db: Tx, supplierId: string, now: Date): Promise<WorkingCalendar> {
  const [supplier] = await db.sql<{ timeZone: string }>`SELECT "timeZone" FROM supplier WHERE id = ${supplierId}::uuid`
  const week = await db.sql<{ weekday: number; opensAt: string; closesAt: string }>`
    SELECT weekday, "opensAt", "closesAt" FROM supplier_working_hours WHERE "supplierId" = ${supplierId}::uuid`
  const days = await db.sql<{ day: string; opensAt: string | null; closesAt: string | null }>`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, "opensAt", "closesAt" FROM supplier_calendar_day
    WHERE "supplierId" = ${supplierId}::uuid AND day >= ${now}::timestamptz::date - 8`
  const hours = (opensAt: string, closesAt: string): Hours => ({ opens: minutesOf(opensAt), closes: minutesOf(closesAt) })
  return {
    timeZone: supplier?.timeZone ?? 'Europe/Moscow',
    weekly: week.length > 0 ? new Map(week.map((w) => [w.weekday, hours(w.opensAt, w.closesAt)])) : new Map(DEFAULT_WEEK),
    days: new Map(days.map((d) => [d.day, d.opensAt && d.closesAt ? hours(d.opensAt, d.closesAt) : null])),
  }
}
