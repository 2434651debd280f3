import { Webhook } from 'standardwebhooks'
import { signStandardWebhook, verifyStandardWebhook } from '../../src/common/standard-webhooks.ts'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const at = new Date('2026-11-26T05:00:00Z')
const body = '{"type":"payment.succeeded"}'

describe('Standard Webhooks', () => {
  it('verifies what the reference library signs, and the library verifies what we sign', () => {
    const headers = signStandardWebhook(SECRET, 'msg_1', at, body)
    expect(verifyStandardWebhook(SECRET, headers, Buffer.from(body), at, 300)).toBeNull()
    // The library checks against the system clock, so give it a timestamp of now.
    const now = new Date()
    const fresh = signStandardWebhook(SECRET, 'msg_2', now, body)
    expect(() => new Webhook(SECRET).verify(body, { ...fresh })).not.toThrow()
  })

  it('accepts any one valid signature among several (a key rotation)', () => {
    const headers = signStandardWebhook(SECRET, 'msg_1', at, body)
    const old = signStandardWebhook('whsec_' + Buffer.from('x'.repeat(32)).toString('base64'), 'msg_1', at, body)['webhook-signature']
    expect(verifyStandardWebhook(SECRET, { ...headers, 'webhook-signature': `${old} ${headers['webhook-signature']}` }, Buffer.from(body), at, 300)).toBeNull()
  })

  it('refuses a changed body, id or timestamp, a missing header, and a timestamp outside the tolerance', () => {
    const headers = signStandardWebhook(SECRET, 'msg_1', at, body)
    expect(verifyStandardWebhook(SECRET, headers, Buffer.from(body.replace('succeeded', 'failed')), at, 300)).toBe('signature_invalid')
    expect(verifyStandardWebhook(SECRET, { ...headers, 'webhook-id': 'msg_2' }, Buffer.from(body), at, 300)).toBe('signature_invalid')
    const shifted = String(Number(headers['webhook-timestamp']) + 1)
    expect(verifyStandardWebhook(SECRET, { ...headers, 'webhook-timestamp': shifted }, Buffer.from(body), at, 300)).toBe('signature_invalid')
    expect(verifyStandardWebhook(SECRET, { ...headers, 'webhook-signature': undefined }, Buffer.from(body), at, 300)).toBe('signature_missing')
    expect(verifyStandardWebhook(SECRET, headers, Buffer.from(body), new Date(at.getTime() + 301_000), 300)).toBe('timestamp_stale')
    expect(verifyStandardWebhook(SECRET, headers, Buffer.from(body), new Date(at.getTime() - 301_000), 300)).toBe('timestamp_stale')
    expect(verifyStandardWebhook(SECRET, { ...headers, 'webhook-signature': 'v1,' }, Buffer.from(body), at, 300)).toBe('signature_invalid')
    expect(verifyStandardWebhook(SECRET, { ...headers, 'webhook-signature': 'v2,abc' }, Buffer.from(body), at, 300)).toBe('signature_invalid')
  })
})
