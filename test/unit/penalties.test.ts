import fc from 'fast-check'
import { computePenalties, dayNumber, HOUSING_CODE_RULES, rateOn, type KeyRate, type PenaltyRules } from '../../src/billing/penalties.ts'
import { formatKopecks } from '../../src/common/money.ts'

const rules = HOUSING_CODE_RULES
const flat: KeyRate[] = [{ from: '2020-01-01', percent: '9.5' }]
const NO_CAP: PenaltyRules = { ...rules, cap: null }

/** The date `days` after `date`. */
const plus = (date: string, days: number) => new Date((dayNumber(date) + days) * 86_400_000).toISOString().slice(0, 10)

describe('penalties (Housing Code 155.14)', () => {
  it('the worked example: 10 000.00 paid 120 days late at 9.5 % is 190.00 + 219.23 = 409.23', () => {
    const result = computePenalties([{ id: 'oct', amount: 1_000_000n, dueDate: '2026-11-15' }], [{ amount: 1_000_000n, date: plus('2026-11-15', 120) }], '2027-06-01', flat, NO_CAP)
    expect(result.parts).toEqual([
      { debtId: 'oct', amount: 1_000_000n, paidOn: '2027-03-15', days: 120, percent: '9.5', firstDays: 60, secondDays: 30, penalty: 40_923n },
    ])
    expect(formatKopecks(result.total)).toBe('409.23')
  })

  it('day 1 is the day after the due date, and the payment day counts: day 30 costs nothing, day 31 does', () => {
    const debt = [{ id: 'd', amount: 3_000_000n, dueDate: '2026-03-15' }]
    expect(computePenalties(debt, [{ amount: 3_000_000n, date: plus('2026-03-15', 30) }], '2026-12-31', flat, rules).total).toBe(0n)
    // 30 000.00 × 9.5 % × 1 / 300 = 9.50
    expect(computePenalties(debt, [{ amount: 3_000_000n, date: plus('2026-03-15', 31) }], '2026-12-31', flat, rules).total).toBe(950n)
    // Day 91 is the first at 1/130: 60 days at 1/300 (570.00) + 1 day at 1/130 (21.923… → 21.92)
    expect(computePenalties(debt, [{ amount: 3_000_000n, date: plus('2026-03-15', 91) }], '2026-12-31', flat, rules).total).toBe(57_000n + 2_192n)
  })

  it('the rate for the whole delay is the one in force on the payment day, capped at 9.5 % until 2027', () => {
    const rates: KeyRate[] = [
      { from: '2025-01-01', percent: '21' },
      { from: '2027-02-01', percent: '12' },
    ]
    expect(rateOn('2026-06-01', rates, rules)).toBe(950n) // 21 % capped
    expect(rateOn('2027-01-15', rates, rules)).toBe(2100n) // the cap has ended
    expect(rateOn('2027-02-01', rates, rules)).toBe(1200n)
    const debt = [{ id: 'd', amount: 1_000_000n, dueDate: '2026-11-15' }]
    // Paid on 2027-02-10 (87 days): 57 days at 1/300 of 12 %, none of it at the earlier rates.
    const paid = computePenalties(debt, [{ amount: 1_000_000n, date: '2027-02-10' }], '2027-03-01', rates, rules)
    expect(paid.parts[0]).toMatchObject({ days: 87, percent: '12', firstDays: 57, secondDays: 0 })
    expect(paid.total).toBe(22_800n) // 10 000 × 12 % × 57 / 300 = 228.00
  })

  it('what is still unpaid runs up to the day of the calculation, at that day’s rate', () => {
    const result = computePenalties([{ id: 'd', amount: 500_000n, dueDate: '2026-08-15' }], [], plus('2026-08-15', 45), flat, rules)
    expect(result.parts).toEqual([expect.objectContaining({ paidOn: null, days: 45, firstDays: 15, secondDays: 0 })])
    expect(result.total).toBe(2_375n) // 5 000 × 9.5 % × 15 / 300 = 23.75
  })

  it('payments go to principal, oldest due date first; a payment after the calculation day is not counted', () => {
    const debts = [
      { id: 'nov', amount: 200_000n, dueDate: '2026-12-15' },
      { id: 'oct', amount: 100_000n, dueDate: '2026-11-15' },
    ]
    const result = computePenalties(
      debts,
      [
        { amount: 150_000n, date: '2027-01-20' },
        { amount: 150_000n, date: '2027-09-01' },
      ],
      '2027-03-01',
      flat,
      rules,
    )
    expect(result.parts.map((p) => [p.debtId, p.amount, p.paidOn])).toEqual([
      ['oct', 100_000n, '2027-01-20'],
      ['nov', 50_000n, '2027-01-20'],
      ['nov', 150_000n, null],
    ])
  })

  it('a payment made before the due date leaves nothing to charge, and no key rate is needed for it', () => {
    const result = computePenalties([{ id: 'd', amount: 100_000n, dueDate: '2026-11-15' }], [{ amount: 100_000n, date: '2026-11-01' }], '2027-05-01', [], rules)
    expect(result.total).toBe(0n)
    expect(result.parts[0]).toMatchObject({ days: 0, percent: null })
  })

  it('refuses a calculation with no key rate in force where one is needed', () => {
    expect(() => computePenalties([{ id: 'd', amount: 100_000n, dueDate: '2026-01-15' }], [], '2026-06-01', [{ from: '2026-07-01', percent: '9' }], rules)).toThrow(
      /no key rate in force on 2026-06-01/,
    )
  })
})

describe('penalty invariants (property tests)', () => {
  const amount = fc.bigInt({ min: 1n, max: 10_000_000_00n })
  const delay = fc.integer({ min: 0, max: 800 })
  const percent = fc.integer({ min: 100, max: 3000 }).map((h) => `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`)
  const due = '2026-02-15'
  const asOf = plus(due, 1000)

  it('paying earlier never costs more (one rate)', () => {
    fc.assert(
      fc.property(amount, delay, delay, percent, (sum, a, b, rate) => {
        const [early, late] = a <= b ? [a, b] : [b, a]
        const rates = [{ from: '2020-01-01', percent: rate }]
        const debt = [{ id: 'd', amount: sum, dueDate: due }]
        const cost = (days: number) => computePenalties(debt, [{ amount: sum, date: plus(due, days) }], asOf, rates, rules).total
        expect(cost(early)).toBeLessThanOrEqual(cost(late))
      }),
    )
  })

  it('splitting a payment in two on the same day changes nothing', () => {
    fc.assert(
      fc.property(amount, fc.bigInt({ min: 0n, max: 10_000_000_00n }), delay, fc.array(fc.tuple(amount, fc.integer({ min: -60, max: 60 })), { maxLength: 3 }), (paidSum, cut, days, others) => {
        const debts = others.map(([sum, shift], i) => ({ id: `d${i}`, amount: sum, dueDate: plus(due, shift) })).concat([{ id: 'main', amount: paidSum, dueDate: due }])
        const whole = [{ amount: paidSum, date: plus(due, days) }]
        const first = cut % paidSum
        const split = [
          { amount: first, date: plus(due, days) },
          { amount: paidSum - first, date: plus(due, days) },
        ]
        expect(computePenalties(debts, split, asOf, flat, rules).total).toBe(computePenalties(debts, whole, asOf, flat, rules).total)
      }),
    )
  })

  it('is never negative, nothing within the grace days, and never decreases while a debt stays unpaid (one rate)', () => {
    fc.assert(
      fc.property(amount, delay, fc.integer({ min: 0, max: 400 }), (sum, days, more) => {
        const debt = [{ id: 'd', amount: sum, dueDate: due }]
        const at = (d: number) => computePenalties(debt, [], plus(due, d), flat, rules).total
        expect(at(days)).toBeGreaterThanOrEqual(0n)
        if (days <= rules.graceDays) expect(at(days)).toBe(0n)
        expect(at(days + more)).toBeGreaterThanOrEqual(at(days))
      }),
    )
  })

  it('allocating never loses or invents principal: the parts add up to the debts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(amount, fc.integer({ min: 0, max: 300 })), { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(amount, fc.integer({ min: 0, max: 600 })), { maxLength: 5 }), (debts, payments) => {
        const result = computePenalties(
          debts.map(([sum, shift], i) => ({ id: `d${i}`, amount: sum, dueDate: plus(due, shift) })),
          payments.map(([sum, shift]) => ({ amount: sum, date: plus(due, shift) })),
          asOf,
          flat,
          rules,
        )
        expect(result.parts.reduce((s, p) => s + p.amount, 0n)).toBe(debts.reduce((s, [sum]) => s + sum, 0n))
      }),
    )
  })
})
