/**
 * Where "now" comes from. Production reads the system clock; tests set or move a clock of their
 * own, so windows, due dates and reminders are tested on the dates they are about. Code that
 * decides anything by date takes the app's clock, never `new Date()`.
 */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock that stands still until it is set or moved (tests). */
export interface SetClock extends Clock {
  set(at: Date | string): void
  advance(ms: number): void
}

export function setClock(at: Date | string): SetClock {
  let current = new Date(at).getTime()
  return {
    now: () => new Date(current),
    set(to) {
      current = new Date(to).getTime()
    },
    advance(ms) {
      current += ms
    },
  }
}
