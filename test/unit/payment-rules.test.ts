import fc from 'fast-check'
import { PAYMENT_STATUSES, TRANSITIONS, canTransition, decide, returnUrlAllowed, type PaymentChange, type PaymentState, type PaymentStatus } from '../../src/payments/rules.ts'

const state = (status: PaymentStatus, amount = 150_000n, refunded = 0n): PaymentState => ({ status, amount, refunded })

describe('the payment state machine', () => {
  it('allows exactly pending → succeeded | failed | canceled and succeeded → refunded (→ refunded again)', () => {
    const allowed = PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`))
    expect(allowed.sort()).toEqual(['pending→canceled', 'pending→failed', 'pending→succeeded', 'refunded→refunded', 'succeeded→refunded'])
    expect(TRANSITIONS.failed).toEqual([])
    expect(TRANSITIONS.canceled).toEqual([])
  })

  it('applies a success of the right amount, and refuses one of another amount', () => {
    expect(decide(state('pending'), { kind: 'succeeded', amount: 150_000n })).toEqual({ kind: 'apply', to: 'succeeded' })
    expect(decide(state('pending'), { kind: 'succeeded', amount: null })).toEqual({ kind: 'apply', to: 'succeeded' })
    expect(decide(state('pending'), { kind: 'succeeded', amount: 149_999n })).toMatchObject({ kind: 'refuse', code: 'amount_mismatch' })
  })

  it('takes news out of order calmly: pending after success changes nothing, success after a refund is a repeat', () => {
    expect(decide(state('succeeded'), { kind: 'pending' })).toEqual({ kind: 'ignore', code: 'out_of_order' })
    expect(decide(state('failed'), { kind: 'pending' })).toEqual({ kind: 'ignore', code: 'out_of_order' })
    expect(decide(state('refunded', 150_000n, 100n), { kind: 'succeeded', amount: 150_000n })).toEqual({ kind: 'ignore', code: 'already_in_status' })
    expect(decide(state('succeeded'), { kind: 'succeeded', amount: 150_000n })).toEqual({ kind: 'ignore', code: 'already_in_status' })
  })

  it('refuses what contradicts a final state: failure after success, success after cancel', () => {
    expect(decide(state('succeeded'), { kind: 'failed' })).toMatchObject({ kind: 'refuse', code: 'payment_transition_refused' })
    expect(decide(state('canceled'), { kind: 'succeeded', amount: 150_000n })).toMatchObject({ kind: 'refuse', code: 'payment_transition_refused' })
    expect(decide(state('failed'), { kind: 'canceled' })).toMatchObject({ kind: 'refuse', code: 'payment_transition_refused' })
  })

  it('refunds up to the amount, in parts, and not a kopeck more; only settled payments', () => {
    expect(decide(state('succeeded'), { kind: 'refund', amount: 50_000n })).toEqual({ kind: 'apply', to: 'refunded', refund: 50_000n })
    expect(decide(state('refunded', 150_000n, 50_000n), { kind: 'refund', amount: 100_000n })).toEqual({ kind: 'apply', to: 'refunded', refund: 100_000n })
    expect(decide(state('refunded', 150_000n, 50_000n), { kind: 'refund', amount: 100_001n })).toMatchObject({ kind: 'refuse', code: 'refund_exceeds_payment' })
    expect(decide(state('pending'), { kind: 'refund', amount: 1n })).toMatchObject({ kind: 'refuse', code: 'payment_transition_refused' })
  })

  const status = fc.constantFrom(...PAYMENT_STATUSES)
  const change: fc.Arbitrary<PaymentChange> = fc.oneof(
    fc.constant<PaymentChange>({ kind: 'pending' }),
    fc.option(fc.bigInt({ min: 1n, max: 300_000n }), { nil: null }).map((amount): PaymentChange => ({ kind: 'succeeded', amount })),
    fc.constant<PaymentChange>({ kind: 'failed' }),
    fc.constant<PaymentChange>({ kind: 'canceled' }),
    fc.bigInt({ min: 1n, max: 300_000n }).map((amount): PaymentChange => ({ kind: 'refund', amount })),
  )

  it('property: whatever arrives, in any order, only allowed transitions are applied and refunds never pass the amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 300_000n }), fc.array(change, { maxLength: 12 }), (amount, changes) => {
        let current = state('pending', amount)
        for (const next of changes) {
          const decision = decide(current, next)
          if (decision.kind !== 'apply') continue
          expect(canTransition(current.status, decision.to)).toBe(true)
          current = { ...current, status: decision.to, refunded: current.refunded + (decision.refund ?? 0n) }
          expect(current.refunded).toBeLessThanOrEqual(current.amount)
          expect(current.status === 'refunded').toBe(current.refunded > 0n)
        }
      }),
    )
  })

  it('property: deciding is idempotent — the same news twice applies at most once (refunds carry their own ids)', () => {
    fc.assert(
      fc.property(status, change, (from, next) => {
        fc.pre(next.kind !== 'refund')
        const first = decide(state(from, 150_000n, from === 'refunded' ? 1n : 0n), next)
        if (first.kind !== 'apply') return
        const after = state(first.to, 150_000n, from === 'refunded' ? 1n : 0n)
        expect(decide(after, next).kind).not.toBe('apply')
      }),
    )
  })
})

describe('return addresses', () => {
  const allowed = ['https://lk.example.test', 'abonent://']
  it.each([
    ['https://lk.example.test/payments/done?x=1', true],
    ['abonent://payments/done', true],
    ['https://lk.example.test:8443/', false],
    ['http://lk.example.test/', false],
    ['https://lk.example.test.evil.example/', false],
    ['https://lk.example.test@evil.example/', false],
    ['https://user:pw@lk.example.test/', false],
    ['javascript:alert(1)', false],
    ['abonentx://payments', false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => {
    expect(returnUrlAllowed(url, allowed)).toBe(ok)
  })
})
