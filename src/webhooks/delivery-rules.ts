/**
 * The rules of delivering one event to one endpoint, without I/O: what an answer means, when the
 * next attempt is due, what a `Retry-After` asks for. The schedule is Standard Webhooks'
 * example: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about 3 days
 * in all), each delay spread by ±10 % so that many failed deliveries do not return at once.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
]

/** Attempts in one round of the schedule: the first, and one per delay after it. */
export const ATTEMPTS_PER_ROUND = RETRY_DELAYS_MS.length

export const JITTER = 0.1

/** However long a receiver asks us to wait, the next attempt comes within a day. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000

/**
 * succeeded: a 2xx in time. gone: 410, the receiver wants no more (the endpoint is disabled).
 * failed: any other answer, redirects included (never followed). timeout: no full answer in
 * time. refused: the address is not one we send to. error: no answer (connection refused, TLS).
 */
export type AttemptOutcome = 'succeeded' | 'failed' | 'gone' | 'timeout' | 'refused' | 'error'

export function outcomeOfStatus(statusCode: number): AttemptOutcome {
  if (statusCode >= 200 && statusCode < 300) return 'succeeded'
  if (statusCode === 410) return 'gone'
  return 'failed'
}

/**
 * A `Retry-After` header (RFC 9110: delay-seconds or an HTTP-date) as milliseconds from `now`;
 * null when absent or unreadable. A date in the past asks for no wait.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null
  const text = value.trim()
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000
  if (!/[a-z]/i.test(text)) return null
  const at = Date.parse(text)
  if (Number.isNaN(at)) return null
  return Math.max(0, at - now.getTime())
}

/**
 * How long after a failed attempt the next one is due, or null when the round is over.
 * `attemptsMade` counts this round's attempts, the failed one included (1 after the first);
 * `random` is in [0, 1). A `Retry-After` is honoured: never sooner than it asks, at most a day.
 */
export function nextRetryDelay(attemptsMade: number, random: number, retryAfterMs: number | null = null): number | null {
  const base = RETRY_DELAYS_MS[attemptsMade]
  if (attemptsMade < 1 || base === undefined) return null
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random))
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS))
}

/** An endpoint that has failed without a single success for this long is disabled. */
export function failingTooLong(failingSince: Date | null, now: Date, disableAfterMs: number): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= disableAfterMs
}

/** The first `limit` bytes of an answer as text, never cutting a UTF-8 character in two. */
export function firstBytes(body: Buffer, limit = 1024): string {
  let end = Math.min(body.length, limit)
  // Back off continuation bytes (10xxxxxx) of a character the cut would split.
  if (end < body.length) {
    while (end > 0 && (body[end]! & 0xc0) === 0x80) end--
  }
  // The lead byte at `end` starts the character that did not fit; what is before it is whole.
  return body.subarray(0, end).toString('utf8').replaceAll('\u0000', '')
}
