import { createHash, createHmac } from 'node:crypto'
import { createSecretBox } from '../../src/common/secret-box.ts'
import { createCloudPaymentsProvider } from '../../src/payments/providers/cloudpayments.ts'
import { createTbankProvider } from '../../src/payments/providers/tbank.ts'
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

describe('cards saved for autopay, read from notifications', () => {
  const lookup = (secret: string, merchantId = 'T') => async (id: string) => ({ id, status: 'pending' as const, amount: 10000n, expiresAt: null, credentials: { merchantId, secret } })
  const order = '019af3b1-52c1-7a02-8b3e-1f4c6d9e0b77'
  const received = (rawBody: Buffer, headers: Record<string, string> = {}, query: Record<string, string> = {}) => ({ rawBody, headers, query, receivedAt: new Date() })

  it('T-Bank: RebillId on CONFIRMED, with the masked PAN and MM/YY; none without RebillId', async () => {
    const tbank = createTbankProvider({ apiUrl: 'http://127.0.0.1:1', timeoutMs: 100 })
    const body: Record<string, unknown> = { TerminalKey: 'T', OrderId: order, Success: true, Status: 'CONFIRMED', PaymentId: 4000000001, ErrorCode: '0', Amount: 10000, Pan: '430000******0777', ExpDate: '1230', RebillId: 7000000001 }
    body.Token = tbankToken(body, 'p')
    const verified = await tbank.verify(received(Buffer.from(JSON.stringify(body))), lookup('p'))
    expect(verified).toMatchObject({ ok: true, facts: { card: { token: '7000000001', mask: '430000******0777', expires: '12/30' } } })
    const plain: Record<string, unknown> = { ...body, RebillId: undefined, Token: undefined }
    delete plain.RebillId
    plain.Token = tbankToken(plain, 'p')
    expect(await tbank.verify(received(Buffer.from(JSON.stringify(plain))), lookup('p'))).toMatchObject({ ok: true, facts: { card: null } })
  })

  it('CloudPayments: the Token of a Pay, masked from the first six and last four', async () => {
    const cloud = createCloudPaymentsProvider({ apiUrl: 'http://127.0.0.1:1', timeoutMs: 100 })
    const raw = new URLSearchParams({ TransactionId: '900000001', Amount: '100.00', InvoiceId: order, Token: 'tk_9c1b2f3e4d5a', CardFirstSix: '424242', CardLastFour: '4242', CardExpDate: '12/30', Status: 'Completed' }).toString()
    const hmac = createHmac('sha256', 'secret').update(raw).digest('base64')
    const verified = await cloud.verify(received(Buffer.from(raw), { 'content-hmac': hmac }, { event: 'pay' }), lookup('secret'))
    expect(verified).toMatchObject({ ok: true, facts: { card: { token: 'tk_9c1b2f3e4d5a', mask: '424242******4242', expires: '12/30' } } })
  })
})
