import fc from 'fast-check'
import { apportion, priceOverPeriod, TariffGapError } from '../../src/billing/tariff-split.ts'
import { formatKopecks, multiplyDecimals } from '../../src/common/money.ts'

describe('pricing a period by its tariff versions', () => {
  it('one version for the whole month: quantity × price, rounded half-up once', () => {
    const { segments, amount } = priceOverPeriod('12.345', '2026-11', [{ id: 'a', from: '2026-01-01', to: null, price: '52.4500' }])
    expect(segments).toEqual([{ tariffId: 'a', from: '2026-11-01', to: '2026-11-30', days: 30, quantity: '12.345', price: '52.4500', amount: 64_750n }])
    expect(formatKopecks(amount)).toBe('647.50') // 12.345 × 52.45 = 647.49525 → 647.50
  })

  it('a change on the 16th of a 31-day month splits the quantity 15 : 16 by days, each share priced on its own', () => {
    const versions = [
      { id: 'old', from: '2025-07-01', to: '2026-07-15', price: '40.0000' },
      { id: 'new', from: '2026-07-16', to: null, price: '44.0000' },
    ]
    const { segments, amount } = priceOverPeriod('31.000', '2026-07', versions)
    expect(segments.map((s) => [s.tariffId, s.from, s.to, s.days, s.quantity, formatKopecks(s.amount)])).toEqual([
      ['old', '2026-07-01', '2026-07-15', 15, '15.000', '600.00'],
      ['new', '2026-07-16', '2026-07-31', 16, '16.000', '704.00'],
    ])
    expect(formatKopecks(amount)).toBe('1304.00')
  })

  it('applies the increasing coefficient exactly before rounding', () => {
    const { amount } = priceOverPeriod('7.200', '2026-02', [{ id: 'a', from: '2026-01-01', to: null, price: '45.3300' }], '1.5')
    expect(formatKopecks(amount)).toBe('489.56') // 7.2 × 1.5 × 45.33 = 489.564
  })

  it('names the days no version covers', () => {
    const attempt = () => priceOverPeriod('1.000', '2026-03', [{ id: 'a', from: '2026-03-05', to: '2026-03-20', price: '1.0000' }])
    expect(attempt).toThrow(TariffGapError)
    expect(attempt).toThrow('no tariff in force on 2026-03-01..2026-03-04, 2026-03-21..2026-03-31')
  })

  it('negative quantities (recalculations) are split and priced on their magnitude', () => {
    const versions = [
      { id: 'a', from: '2026-01-01', to: '2026-04-10', price: '10.0000' },
      { id: 'b', from: '2026-04-11', to: null, price: '20.0000' },
    ]
    const { segments } = priceOverPeriod('-3.001', '2026-04', versions)
    expect(segments.map((s) => s.quantity)).toEqual(['-1.000', '-2.001'])
  })
})

describe('apportion and split (property tests)', () => {
  it('shares add up to the total exactly and each is within one unit of its exact share', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.array(fc.integer({ min: 1, max: 31 }), { minLength: 1, maxLength: 5 }), (total, weights) => {
        const shares = apportion(total, weights)
        expect(shares.reduce((a, b) => a + b, 0n)).toBe(total)
        const sum = weights.reduce((a, b) => a + b, 0)
        shares.forEach((share, i) => {
          const exact = (Number(total) * weights[i]!) / sum
          expect(Math.abs(Number(share) - exact)).toBeLessThan(1.000001)
        })
      }),
    )
  })

  it('with one price on every version, splitting changes the amount by at most a kopeck per extra line', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 2, max: 28 }), fc.integer({ min: 0, max: 99_999 }), (q, cutDay, p) => {
        const quantity = `${Math.floor(q / 1000)}.${String(q % 1000).padStart(3, '0')}`
        const price = `${Math.floor(p / 100)}.${String(p % 100).padStart(2, '0')}`
        const day = String(cutDay).padStart(2, '0')
        const whole = priceOverPeriod(quantity, '2026-02', [{ id: 'a', from: '2026-01-01', to: null, price }]).amount
        const split = priceOverPeriod(quantity, '2026-02', [
          { id: 'a', from: '2026-01-01', to: `2026-02-${day}`, price },
          { id: 'b', from: `2026-02-${String(cutDay + 1).padStart(2, '0')}`, to: null, price },
        ]).amount
        expect(split - whole).toBeGreaterThanOrEqual(-1n)
        expect(split - whole).toBeLessThanOrEqual(1n)
      }),
    )
  })

  it('multiplyDecimals is exact', () => {
    expect(multiplyDecimals('2.500', '1.5')).toBe('3.7500')
    expect(multiplyDecimals('-0.001', '3')).toBe('-0.003')
    expect(multiplyDecimals('12', '0.25')).toBe('3.00')
  })
})
