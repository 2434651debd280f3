import { csvReadingRows } from '../../src/readings/bulk.ts'

describe('csvReadingRows', () => {
  it('reads meters by account and serial, or by id, with line numbers', () => {
    expect(csvReadingRows('Лицевой счет;Заводской номер;T1;T2\n5400012345;E-1;10;20\n\n5400012346;E-2;11;\n')).toEqual([
      { line: 2, accountNumber: '5400012345', serialNumber: 'E-1', values: { T1: '10', T2: '20' } },
      { line: 4, accountNumber: '5400012346', serialNumber: 'E-2', values: { T1: '11' } },
    ])
    expect(csvReadingRows('meter_id,t1,taken_at\n0190a000-0000-7000-8000-000000000001,5,2026-11-20T10:00:00Z\n')).toEqual([
      { line: 2, meterId: '0190a000-0000-7000-8000-000000000001', values: { T1: '5' }, takenAt: '2026-11-20T10:00:00Z' },
    ])
  })

  it('refuses a header that names no meter or no value', () => {
    expect(() => csvReadingRows('serial;t1\nX;1\n')).toThrow(/account_number/)
    expect(() => csvReadingRows('meter_id;note\nX;1\n')).toThrow(/t1/)
  })
})
