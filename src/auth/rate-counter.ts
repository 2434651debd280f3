import type { FastifyInstance } from 'fastify'
import { DomainError } from '../common/errors.ts'
import { describeWindow, describeWindowRu } from '../common/wording.ts'

export interface Window {
  count: number
  /** Milliseconds until the window resets. */
  resetsInMs: number
}

/**
 * Fixed-window counters in PostgreSQL, so that every instance of the API sees the same counts
 * (the per-IP limiter keeps its counts in each process). Used for failed logins per login and
 * for mails per address.
 */
export function createRateCounter(app: FastifyInstance) {
  const toWindow = (row: { count: number; windowStartedAt: Date } | undefined | null, windowMs: number): Window => {
    if (!row || row.windowStartedAt.getTime() + windowMs <= Date.now()) return { count: 0, resetsInMs: 0 }
    return { count: row.count, resetsInMs: row.windowStartedAt.getTime() + windowMs - Date.now() }
  }

  return {
    async peek(key: string, windowMs: number): Promise<Window> {
      return toWindow(await app.prisma.rateCounter.findUnique({ where: { key } }), windowMs)
    },

    /** Several counters in one read (the keys with no live window are absent). */
    async peekMany(keys: string[], windowMs: number): Promise<Map<string, Window>> {
      const rows = await app.prisma.rateCounter.findMany({ where: { key: { in: keys } } })
      return new Map(rows.map((row) => [row.key, toWindow(row, windowMs)] as const).filter(([, window]) => window.count > 0))
    },

    /** Counts one more event in the current window (starting a new window when the last one is over). */
    async hit(key: string, windowMs: number): Promise<Window> {
      const [row] = await app.prisma.$queryRaw<{ count: number; windowStartedAt: Date }[]>`
        INSERT INTO rate_counter (key, count, "windowStartedAt") VALUES (${key}, 1, now())
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN rate_counter."windowStartedAt" <= now() - ${windowMs} * interval '1 millisecond'
                       THEN 1 ELSE rate_counter.count + 1 END,
          "windowStartedAt" = CASE WHEN rate_counter."windowStartedAt" <= now() - ${windowMs} * interval '1 millisecond'
                       THEN now() ELSE rate_counter."windowStartedAt" END
        RETURNING count, "windowStartedAt"`
      return toWindow(row, windowMs)
    },

    /** Records `key` until `until`; false when it was already recorded (a used captcha, say). */
    async claimOnce(key: string, until: Date): Promise<boolean> {
      const rows = await app.prisma.$queryRaw<unknown[]>`
        INSERT INTO rate_counter (key, count, "windowStartedAt") VALUES (${key}, 1, ${until})
        ON CONFLICT (key) DO NOTHING RETURNING key`
      return rows.length === 1
    },

    /** Counters and claims are small but never read again once their window is over. */
    async prune(olderThanMs: number): Promise<number> {
      return app.prisma.$executeRaw`DELETE FROM rate_counter WHERE "windowStartedAt" < now() - ${olderThanMs} * interval '1 millisecond'`
    },

    async clear(key: string): Promise<void> {
      await app.prisma.rateCounter.deleteMany({ where: { key } })
    },
  }
}

/** "At most 10 failed logins for this login per 15 minutes": the rule, not the time left (Retry-After has that). */
export function tooManyRequests(window: Window, limit: { max: number; windowMs: number }, what: string, whatRu: string): DomainError {
  const seconds = Math.max(1, Math.ceil(window.resetsInMs / 1000))
  return new DomainError(
    429,
    'rate_limited',
    'Too many requests',
    `At most ${limit.max} ${what} per ${describeWindow(limit.windowMs)}; Retry-After says when to try again.`,
    {},
    { 'retry-after': String(seconds) },
  ).inRussian(`Не больше ${limit.max} ${whatRu} за ${describeWindowRu(limit.windowMs)}; Retry-After подскажет, когда повторить.`)
}
