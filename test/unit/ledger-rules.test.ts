import fc from 'fast-check'
import { formatKopecks, toKopecks } from '../../src/common/money.ts'
import { amountToPay, balanceOf, debtOf, periodsBetween, statementOf, type PeriodFlows } from '../../src/ledger/rules.ts'

const k = toKopecks
const kopecks = fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n })

describe('balance and amount to pay', () => {
  it('counts carried-in debt and charges against settled payments; pending ones only in what is left to pay', () => {
    // The ledger of test/integration/accounts.test.ts: 100.00 + 3398.58 + 760.52 − 3000.10.
    const balance = balanceOf({ carriedIn: k('100.00'), charged: k('4159.10'), settled: k('3000.10'), pending: k('500.00') })
    expect(formatKopecks(balance)).toBe('1259.00')
    expect(formatKopecks(amountToPay(balance, k('500.00')))).toBe('759.00')
    expect(formatKopecks(amountToPay(balance, k('2500.00')))).toBe('0.00')
    expect(formatKopecks(amountToPay(k('-10.00'), 0n))).toBe('0.00')
  })

  it('never asks for less than nothing, and otherwise for exactly the rest', () => {
    fc.assert(
      fc.property(kopecks, fc.bigInt({ min: 0n, max: 10n ** 14n }), (balance, pending) => {
        const toPay = amountToPay(balance, pending)
        return toPay >= 0n && (balance - pending >= 0n ? toPay === balance - pending : toPay === 0n)
      }),
    )
  })

  it('splits a balance into debt or advance', () => {
    expect(debtOf(k('5508.18'))).toEqual({ debt: k('5508.18'), advance: 0n })
    expect(debtOf(k('-0.07'))).toEqual({ debt: 0n, advance: 7n })
    expect(debtOf(0n)).toEqual({ debt: 0n, advance: 0n })
    fc.assert(fc.property(kopecks, (b) => debtOf(b).debt - debtOf(b).advance === b))
  })
})

describe('periodsBetween', () => {
  it('lists months inclusively across a year', () => {
    expect(periodsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02'])
    expect(periodsBetween('2026-10', '2026-10')).toEqual(['2026-10'])
    expect(periodsBetween('2026-10', '2026-09')).toEqual([])
  })
})

describe('statementOf', () => {
  it('works the example of test/integration/statements.test.ts', () => {
    const flows = new Map<string, PeriodFlows<string>>([
      ['2026-07', { charges: [{ service: 'heat', amount: k('500.00') }], penalties: 0n, payments: k('1500.00') }],
      ['2026-08', { charges: [{ service: 'heat', amount: k('2754.12') }, { service: 'hot_water', amount: k('760.52') }], penalties: 0n, payments: 0n }],
      ['2026-09', { charges: [{ service: 'heat', amount: k('2754.12') }, { service: 'hot_water', amount: k('0.01') }], penalties: 0n, payments: k('3514.64') }],
      ['2026-10', { charges: [{ service: 'heat', amount: k('2754.12') }], penalties: 0n, payments: k('0.07') }],
    ])
    const s = statementOf(k('1000.00'), periodsBetween('2026-07', '2026-10'), flows)
    expect([s.openingBalance, s.chargesTotal, s.paymentsTotal, s.closingBalance].map(formatKopecks)).toEqual(['1000.00', '9522.89', '5014.71', '5508.18'])
    expect(s.periods.map((p) => formatKopecks(p.closingBalance))).toEqual(['0.00', '3514.64', '2754.13', '5508.18'])
  })

  it('lists quiet periods with zeros', () => {
    const s = statementOf(k('12.34'), ['2026-01', '2026-02'], new Map())
    expect(s.periods).toEqual([
      { period: '2026-01', openingBalance: 1234n, charges: [], penalties: 0n, chargesTotal: 0n, payments: 0n, closingBalance: 1234n },
      { period: '2026-02', openingBalance: 1234n, charges: [], penalties: 0n, chargesTotal: 0n, payments: 0n, closingBalance: 1234n },
    ])
    expect(s.closingBalance).toBe(1234n)
  })

  it('reconciles to the kopeck whatever moves: each closing is opening + charges − payments and the next opening', () => {
    const flow = fc.record({
      charges: fc.array(fc.record({ service: fc.constantFrom('heat', 'hot_water', 'gas'), amount: kopecks }), { maxLength: 4 }),
      penalties: kopecks,
      payments: kopecks,
    })
    fc.assert(
      fc.property(kopecks, fc.array(fc.option(flow), { minLength: 1, maxLength: 24 }), (opening, months) => {
        const periods = periodsBetween('2025-03', '2027-02').slice(0, months.length)
        const flows = new Map(months.flatMap((f, i) => (f ? [[periods[i]!, f] as const] : [])))
        const s = statementOf(opening, periods, flows)
        let expected = opening
        for (const p of s.periods) {
          expect(p.openingBalance).toBe(expected)
          expect(p.chargesTotal).toBe(p.charges.reduce((sum, c) => sum + c.amount, p.penalties))
          expect(p.closingBalance).toBe(p.openingBalance + p.chargesTotal - p.payments)
          expected = p.closingBalance
        }
        expect(s.periods.map((p) => p.period)).toEqual(periods)
        expect(s.closingBalance).toBe(expected)
        expect(s.openingBalance + s.chargesTotal - s.paymentsTotal).toBe(s.closingBalance)
      }),
    )
  })
})
