import { consumptionBetween, decideWindow, fitsCounter, formatThousandths, isSuspicious, toThousandths } from '../../src/readings/rules.ts'

const window = { startDay: 15, endDay: 25, acceptOutside: false }

describe('decideWindow (Decree No. 354: readings until the 25th)', () => {
  it.each(['2026-11-15', '2026-11-20', '2026-11-25'])('takes %s for November', (date) => {
    expect(decideWindow(date, window)).toMatchObject({ accepted: true, period: '2026-11', outsideWindow: false })
  })

  it('refuses the 26th, naming the next window', () => {
    expect(decideWindow('2026-11-26', window)).toEqual({ accepted: false, nextWindow: { from: '2026-12-15', to: '2026-12-25', period: '2026-12' } })
  })

  it('refuses before the window, naming this month’s', () => {
    expect(decideWindow('2026-11-03', window)).toEqual({ accepted: false, nextWindow: { from: '2026-11-15', to: '2026-11-25', period: '2026-11' } })
  })

  it('crosses the year', () => {
    expect(decideWindow('2026-12-31', window)).toMatchObject({ nextWindow: { from: '2027-01-15', period: '2027-01' } })
  })

  it('where the supplier allows, takes a late reading for the next period and says so', () => {
    expect(decideWindow('2026-11-26', { ...window, acceptOutside: true })).toMatchObject({ accepted: true, period: '2026-12', outsideWindow: true })
  })

  it('clamps a window ending on the 31st to short months', () => {
    expect(decideWindow('2026-02-28', { startDay: 20, endDay: 31, acceptOutside: false })).toMatchObject({ accepted: true, period: '2026-02' })
  })
})

describe('consumptionBetween', () => {
  it('subtracts exactly, in thousandths', () => {
    expect(consumptionBetween(toThousandths('123.450')!, toThousandths('130.002')!, 5)).toEqual({ ok: true, consumption: 6552n, rolledOver: false })
    expect(formatThousandths(6552n)).toBe('6.552')
  })

  it('wraps a counter that rolled over its digit capacity: 99 998.500 → 00 001.250 is 2.750', () => {
    const result = consumptionBetween(toThousandths('99998.5')!, toThousandths('1.25')!, 5)
    expect(result).toEqual({ ok: true, consumption: 2750n, rolledOver: true })
  })

  it('refuses a lower reading that is no roll-over', () => {
    expect(consumptionBetween(toThousandths('500')!, toThousandths('499.999')!, 5)).toEqual({ ok: false })
    expect(consumptionBetween(toThousandths('80000')!, toThousandths('5')!, 5)).toEqual({ ok: false })
  })
})

describe('values', () => {
  it('parse only plain non-negative numbers with at most 3 decimals', () => {
    expect(toThousandths('0')).toBe(0n)
    expect(toThousandths('12,5')).toBe(12500n)
    for (const bad of ['-1', '1.2345', '1e3', '', 'abc']) expect(toThousandths(bad)).toBeNull()
  })

  it('must fit the counter', () => {
    expect(fitsCounter(toThousandths('99999.999')!, 5)).toBe(true)
    expect(fitsCounter(toThousandths('100000')!, 5)).toBe(false)
  })
})

describe('isSuspicious', () => {
  it('flags consumption above factor × monthly average, never without history', () => {
    expect(isSuspicious(30001n, 10000n, '3.00')).toBe(true)
    expect(isSuspicious(30000n, 10000n, '3.00')).toBe(false)
    expect(isSuspicious(15001n, 10000n, '1.5')).toBe(true)
    expect(isSuspicious(999999n, null, '3.00')).toBe(false)
  })
})
