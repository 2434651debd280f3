import fc from 'fast-check'
import { verifyStandardWebhook } from '../../src/common/standard-webhooks.ts'
import { checkUrlShape, forbiddenAddress } from '../../src/webhooks/address-guard.ts'
import {
  ATTEMPTS_PER_ROUND,
  JITTER,
  MAX_RETRY_AFTER_MS,
  RETRY_DELAYS_MS,
  failingTooLong,
  firstBytes,
  nextRetryDelay,
  outcomeOfStatus,
  parseRetryAfter,
} from '../../src/webhooks/delivery-rules.ts'
import { messageId, newWebhookSecret, signWithAll } from '../../src/webhooks/signing.ts'

const HOUR = 3_600_000

describe('the retry schedule', () => {
  it('is Standard Webhooks’ example: 10 attempts over about 3 days', () => {
    expect(ATTEMPTS_PER_ROUND).toBe(10)
    const total = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)
    expect(total / HOUR).toBeCloseTo(75.59, 1)
  })

  it('waits the scheduled delay ±10 % after each failed attempt, and ends after the tenth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (made, random) => {
        const delay = nextRetryDelay(made, random)!
        const base = RETRY_DELAYS_MS[made]!
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - JITTER)))
        expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + JITTER)))
      }),
    )
    expect(nextRetryDelay(10, 0.5)).toBeNull()
    expect(nextRetryDelay(0, 0.5)).toBeNull()
  })

  it('spreads a whole round over 68 to 83 hours whatever the jitter', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 9, maxLength: 9 }), (randoms) => {
        const total = randoms.reduce((sum, random, i) => sum + nextRetryDelay(i + 1, random)!, 0)
        expect(total).toBeGreaterThan(68 * HOUR)
        expect(total).toBeLessThan(83 * HOUR)
      }),
    )
  })

  it('never retries sooner than Retry-After asks, nor later than a day because of it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 30 * 24 * HOUR }),
        (made, random, retryAfter) => {
          const delay = nextRetryDelay(made, random, retryAfter)!
          expect(delay).toBeGreaterThanOrEqual(Math.min(retryAfter, MAX_RETRY_AFTER_MS))
          expect(delay).toBeLessThanOrEqual(Math.max(nextRetryDelay(made, random)!, MAX_RETRY_AFTER_MS))
        },
      ),
    )
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-12-01T10:00:00Z')
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:05:00 GMT', now)).toBe(5 * 60_000)
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter(undefined, now)).toBeNull()
    expect(parseRetryAfter('soon', now)).toBeNull()
    expect(parseRetryAfter('-5', now)).toBeNull()
    expect(parseRetryAfter('1e3', now)).toBeNull()
  })
})

describe('what an answer means', () => {
  it('2xx is success, 410 is gone, anything else (redirects too) a failure', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), (status) => {
        const outcome = outcomeOfStatus(status)
        if (status >= 200 && status < 300) expect(outcome).toBe('succeeded')
        else if (status === 410) expect(outcome).toBe('gone')
        else expect(outcome).toBe('failed')
      }),
    )
  })

  it('an endpoint is failing too long only after the whole period without a success', () => {
    const since = new Date('2026-12-01T00:00:00Z')
    expect(failingTooLong(since, new Date('2026-12-05T23:59:59Z'), 5 * 24 * HOUR)).toBe(false)
    expect(failingTooLong(since, new Date('2026-12-06T00:00:00Z'), 5 * 24 * HOUR)).toBe(true)
    expect(failingTooLong(null, new Date('2027-01-01T00:00:00Z'), 5 * 24 * HOUR)).toBe(false)
  })

  it('keeps the first KiB of an answer without cutting a character in two', () => {
    fc.assert(
      fc.property(fc
          .string({ unit: 'grapheme', maxLength: 2000 })
          // NUL is dropped on purpose, and a U+FFFD of the answer's own would hide a cut one.
          .filter((t) => !t.includes('\u0000') && !t.includes('\uFFFD')), (text) => {
        const kept = firstBytes(Buffer.from(text))
        expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(1024)
        expect(Buffer.byteLength(kept)).toBeGreaterThan(Math.min(Buffer.byteLength(text), 1024) - 4)
        expect(text.startsWith(kept)).toBe(true)
        expect(kept).not.toContain('\uFFFD')
      }),
    )
    // PostgreSQL keeps no NUL in text: an answer's are dropped.
    expect(firstBytes(Buffer.from('ok\u0000!'))).toBe('ok!')
    expect(firstBytes(Buffer.from('я'.repeat(600)))).toBe('я'.repeat(512))
    expect(firstBytes(Buffer.from('a' + 'я'.repeat(600)))).toBe('a' + 'я'.repeat(511))
  })
})

describe('addresses a webhook may go to', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    '::ffff:10.0.0.1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
  ])('refuses %s', (address) => {
    expect(forbiddenAddress(address)).not.toBeNull()
  })

  it.each(['93.184.216.34', '8.8.8.8', '77.88.55.242', '2a02:6b8::2:242', '::ffff:93.184.216.34'])('allows %s', (address) => {
    expect(forbiddenAddress(address)).toBeNull()
  })

  it('takes https only, without credentials or a fragment, unless development allows http', () => {
    expect(checkUrlShape('https://hooks.example.test/a?b=1', false)).toMatchObject({ ok: true, hostname: 'hooks.example.test' })
    expect(checkUrlShape('http://hooks.example.test/a', false)).toMatchObject({ ok: false })
    expect(checkUrlShape('http://hooks.example.test/a', true)).toMatchObject({ ok: true })
    expect(checkUrlShape('ftp://hooks.example.test/a', true)).toMatchObject({ ok: false })
    expect(checkUrlShape('https://u:p@hooks.example.test/', false)).toMatchObject({ ok: false })
    expect(checkUrlShape('https://hooks.example.test/#x', false)).toMatchObject({ ok: false })
    expect(checkUrlShape('hooks.example.test', false)).toMatchObject({ ok: false })
    expect(checkUrlShape('https://[::1]:8443/', false)).toMatchObject({ ok: true, hostname: '::1' })
  })
})

describe('signing', () => {
  it('signs with every secret of a rotation, each signature verifiable on its own', () => {
    const [older, newer] = [newWebhookSecret(), newWebhookSecret()]
    const at = new Date('2026-12-01T10:00:00Z')
    const body = JSON.stringify({ type: 'payment.succeeded', data: { amount: '1500.50' } })
    const headers = signWithAll([newer, older], messageId('019af3c8-ff01-7a22-9e3b-6d5c4b3a2910'), at, body)
    expect(headers['webhook-id']).toBe('msg_019af3c8ff017a229e3b6d5c4b3a2910')
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    for (const secret of [newer, older]) expect(verifyStandardWebhook(secret, headers, Buffer.from(body), at, 300)).toBeNull()
    expect(verifyStandardWebhook(newWebhookSecret(), headers, Buffer.from(body), at, 300)).toBe('signature_invalid')
    expect(verifyStandardWebhook(newer, headers, Buffer.from(body + ' '), at, 300)).toBe('signature_invalid')
  })
})
