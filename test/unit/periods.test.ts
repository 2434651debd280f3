import { addMonths, monthsBetween, periodName } from '../../src/common/periods.ts'

describe('periods', () => {
  it('add months across years', () => {
    expect(addMonths('2026-11', -11)).toBe('2025-12')
    expect(addMonths('2026-12', 1)).toBe('2027-01')
    expect(addMonths('2026-01', -1)).toBe('2025-12')
  })

  it('count months inclusively', () => {
    expect(monthsBetween('2026-01', '2026-12')).toBe(12)
    expect(monthsBetween('2025-12', '2026-01')).toBe(2)
    expect(monthsBetween('2026-02', '2026-01')).toBe(0)
  })

  it('are named in Russian', () => {
    expect(periodName('2026-03')).toBe('март 2026')
  })
})
