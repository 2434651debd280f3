import { createHash } from 'node:crypto'
import { createSecretBox } from '../../src/common/secret-box.ts'
import { tbankToken } from '../../src/payments/providers/tbank-token.ts'
import { checkVerdict } from '../../src/payments/rules.ts'

describe('T-Bank Token', () => {
  it('gives the official test vector: Amount, Description, OrderId, Password, TerminalKey sorted and concatenated', () => {
    const params = { TerminalKey: 'MerchantTerminalKey', Amount: 19200, OrderId: '21090', Description: 'Подарочная карта на 1000 рублей' }
    expect(tbankToken(params, 'usaf8fw8fsw21g')).toBe('0024a00af7c350a3a67ca168ce06502aa72772456662e38696d48b56ee9c97d9')
    expect(createHash('sha256').update('19200Подарочная карта на 1000 рублей21090usaf8fw8fsw21gMerchantTerminalKey').digest('hex')).toBe(
      '0024a00af7c350a3a67ca168ce06502aa72772456662e38696d48b56ee9c97d9',
    )
  })

  it('leaves out Token itself and nested objects and arrays; writes booleans as true/false', () => {
    const base = { TerminalKey: 'T', Amount: 100, OrderId: 'o', Success: true }
    const token = tbankToken(base, 'p')
    expect(tbankToken({ ...base, Token: 'anything', DATA: { a: 1 }, Receipt: { Items: [] } }, 'p')).toBe(token)
    expect(token).toBe(createHash('sha256').update('100optrueT').digest('hex'))
    expect(tbankToken({ ...base, Success: false }, 'p')).not.toBe(token)
  })
})

describe('the secret box', () => {
  const box = createSecretBox(Buffer.alloc(32, 3))
  it('opens what it sealed, in the same context only, and never the same ciphertext twice', () => {
    const sealed = box.seal('c0ffee5ecret', 'payment_provider_account:a:cloudpayments')
    expect(sealed).not.toContain('c0ffee5ecret')
    expect(box.open(sealed, 'payment_provider_account:a:cloudpayments')).toBe('c0ffee5ecret')
    expect(box.seal('c0ffee5ecret', 'payment_provider_account:a:cloudpayments')).not.toBe(sealed)
    expect(() => box.open(sealed, 'payment_provider_account:b:cloudpayments')).toThrow()
  })

  it('refuses a changed ciphertext and another key', () => {
    const sealed = box.seal('secret', 'ctx')
    const [v, iv, tag, ct] = sealed.split(':')
    const flipped = Buffer.from(ct!, 'base64')
    flipped[0]! ^= 1
    expect(() => box.open([v, iv, tag, flipped.toString('base64')].join(':'), 'ctx')).toThrow()
    expect(() => createSecretBox(Buffer.alloc(32, 4)).open(sealed, 'ctx')).toThrow()
  })
})

describe('Check before the charge', () => {
  const now = new Date('2026-11-26T05:00:00Z')
  const pending = { status: 'pending' as const, amount: 150_000n, expiresAt: new Date('2026-11-26T06:00:00Z') }
  it.each([
    [pending, 150_000n, now, 'ok'],
    [pending, 149_999n, now, 'amount_mismatch'],
    [pending, 150_000n, new Date('2026-11-26T06:00:00Z'), 'expired'],
    [{ ...pending, status: 'canceled' as const }, 150_000n, now, 'expired'],
    [{ ...pending, status: 'succeeded' as const }, 150_000n, now, 'not_payable'],
    [{ ...pending, status: 'failed' as const }, 150_000n, now, 'not_payable'],
  ])('%o for %s at %s → %s', (payment, amount, at, verdict) => {
    expect(checkVerdict(payment, amount, at)).toBe(verdict)
  })
})
