import fc from 'fast-check'
import { autopayAmount, bindingAmount, consentText, plannedAmount } from '../../src/payments/autopay-rules.ts'

const kopecks = fc.bigInt({ min: -1_000_000_00n, max: 1_000_000_00n })
const positive = fc.bigInt({ min: 1n, max: 1_000_000_00n })

describe('what an autopay charge takes', () => {
  it('what is owed, up to what is left of the month’s limit', () => {
    expect(autopayAmount(1845_20n, 5000_00n, 0n)).toEqual({ kind: 'charge', amount: 1845_20n })
    expect(autopayAmount(1500_00n, 1000_00n, 0n)).toEqual({ kind: 'charge', amount: 1000_00n })
    expect(autopayAmount(1500_00n, 1000_00n, 600_00n)).toEqual({ kind: 'charge', amount: 400_00n })
  })

  it('nothing when nothing is owed (paid by hand, or credit) or the limit is used up', () => {
    expect(autopayAmount(0n, 1000_00n, 0n)).toEqual({ kind: 'skip', reason: 'nothing_due' })
    expect(autopayAmount(-50_00n, 1000_00n, 0n)).toEqual({ kind: 'skip', reason: 'nothing_due' })
    expect(autopayAmount(10_00n, 1000_00n, 1000_00n)).toEqual({ kind: 'skip', reason: 'limit_reached' })
  })

  it('never more than owed, never past the limit, never zero or less (property)', () => {
    fc.assert(
      fc.property(kopecks, positive, fc.bigInt({ min: 0n, max: 2_000_000_00n }), (toPay, limit, charged) => {
        const result = autopayAmount(toPay, limit, charged)
        if (result.kind === 'skip') return toPay <= 0n || charged >= limit
        return result.amount > 0n && result.amount <= toPay && charged + result.amount <= limit && (result.amount === toPay || charged + result.amount === limit)
      }),
    )
  })

  it('the month’s charges, one after another, never add up past the limit (property)', () => {
    fc.assert(
      fc.property(positive, fc.array(positive, { maxLength: 10 }), (limit, dues) => {
        let charged = 0n
        for (const due of dues) {
          const result = autopayAmount(due, limit, charged)
          if (result.kind === 'charge') charged += result.amount
        }
        return charged <= limit
      }),
    )
  })
})

describe('setting up', () => {
  it('announces the receipt’s due up to the limit', () => {
    expect(plannedAmount(1200_00n, 5000_00n)).toBe(1200_00n)
    expect(plannedAmount(7000_00n, 5000_00n)).toBe(5000_00n)
  })

  it('the first payment is what is owed, or a ruble in advance when nothing is', () => {
    expect(bindingAmount(1845_20n)).toBe(1845_20n)
    expect(bindingAmount(0n)).toBe(1_00n)
    expect(bindingAmount(-300_00n)).toBe(1_00n)
  })

  it('the consent names the account, the supplier and the limit, in rubles', () => {
    const text = consentText('12-0012346', 'ООО «Горводоканал»', 5000_00n)
    expect(text).toContain('лицевого счёта 12-0012346')
    expect(text).toContain('ООО «Горводоканал»')
    expect(text).toContain('не более 5\u00a0000,00 ₽ в календарный месяц')
    expect(text).toContain('отключить автоплатёж в любой момент')
  })
})
