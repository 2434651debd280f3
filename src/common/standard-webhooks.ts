import { createHmac, timingSafeEqual } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix
 * seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, several
 * space-separated during a key rotation), keyed by a `whsec_<base64>` secret. Signing is the
 * `standardwebhooks` package's; verifying is here because the package checks the timestamp
 * against the system clock, and ours comes from the injected clock.
 */
// A type, not an interface: it must pass where headers are a string record.
export type SignedHeaders = {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

export type VerifyFailure = 'signature_missing' | 'signature_invalid' | 'timestamp_stale'

export function signStandardWebhook(secret: string, id: string, at: Date, body: string): SignedHeaders {
  const timestamp = Math.floor(at.getTime() / 1000)
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': new Webhook(secret).sign(id, at, body) }
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64')
}

/**
 * Checks the headers of a request against its raw body: null when it is genuine and fresh, else
 * why not. Every candidate signature is compared in constant time.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  now: Date,
  toleranceS: number,
): VerifyFailure | null {
  const id = headers['webhook-id']
  const timestamp = headers['webhook-timestamp']
  const signatures = headers['webhook-signature']
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return 'signature_missing'
  if (!/^\d{1,12}$/.test(timestamp)) return 'signature_invalid'
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceS) return 'timestamp_stale'
  const expected = createHmac('sha256', secretBytes(secret))
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), rawBody]))
    .digest()
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2)
    if (version !== 'v1' || !value) continue
    const given = Buffer.from(value, 'base64')
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null
  }
  return 'signature_invalid'
}
