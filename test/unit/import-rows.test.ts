import { checkChargeRow, checkPaymentRow, mapColumns, parseChargeKind, parsePaidAt, parsePeriod, type SupplierRules } from '../../src/imports/rows.ts'

const heat: SupplierRules = {
  services: ['heat', 'hot_water'],
  accountNumberPattern: '^\\d{10}$',
  accountNumberExample: '5400012345',
  accountNumberShortPattern: null,
  accountNumberShortPrefix: null,
  accountNumberShortPadLength: null,
}

const line = { accountNumber: '5400012345', period: '2026-09', service: 'heat', quantity: '1,234', tariff: '2754,12', amount: '3398,58', lineId: 'L-1' }

describe('charge columns', () => {
  it('maps Russian headers, ё or е, and names the required columns a header lacks', () => {
    expect(mapColumns(['Лицевой счёт', 'Период', 'Услуга', 'Вид', 'Количество', 'Ед. изм.', 'Тариф', 'Коэффициент', 'Сумма', 'ID строки'], 'charges').fields).toEqual([
      'accountNumber', 'period', 'service', 'kind', 'quantity', 'unit', 'tariff', 'coefficient', 'amount', 'lineId',
    ])
    expect(mapColumns(['лицевой счет', 'период', 'сумма'], 'charges').missing).toEqual(['lineId'])
    expect(mapColumns(['Лицевой счёт', 'Номер платежа', 'Сумма', 'Дата платежа', 'Способ оплаты'], 'payments')).toEqual({
      fields: ['accountNumber', 'paymentId', 'amount', 'paidAt', 'method'],
      missing: [],
    })
  })
})

describe('parsePeriod and parseChargeKind', () => {
  it.each([
    ['2026-09', '2026-09-01'],
    ['09.2026', '2026-09-01'],
    ['2026-09-01', '2026-09-01'],
    ['01.09.2026', '2026-09-01'],
    ['2026-13', null],
    ['2026-09-15', null],
    ['0000-01', null],
    ['сентябрь', null],
  ])('%s → %s', (text, period) => {
    expect(parsePeriod(text)).toBe(period)
  })

  it('reads what billing systems print', () => {
    expect(['по нормативу', 'Перерасчёт', 'ПЕНИ', 'per_area', 'по счётчику'].map(parseChargeKind)).toEqual(['normative', 'recalculation', 'penalty', 'per_area', 'metered'])
    expect(parseChargeKind('по воде')).toBeNull()
  })
})

describe('checkChargeRow', () => {
  it('takes a line that adds up: quantity × tariff (× coefficient), rounded half-up to kopecks', () => {
    expect(checkChargeRow(line, heat)).toEqual({
      ok: true,
      row: { accountNumber: '5400012345', period: '2026-09-01', service: 'heat', kind: 'metered', quantity: '1.234', unit: null, tariff: '2754.12', coefficient: null, amount: '3398.58', lineId: 'L-1' },
    })
    // 0.5 × 1.5 × 2754.12 = 2065.59
    expect(checkChargeRow({ ...line, kind: 'normative', quantity: '0.5', coefficient: '1,5', amount: '2065.59' }, heat).ok).toBe(true)
    // 0.005 → 0.01: half a kopeck rounds up
    expect(checkChargeRow({ ...line, quantity: '0.001', tariff: '5', amount: '0.01' }, heat).ok).toBe(true)
  })

  it('refuses a line that does not add up, except a recalculation, which may be negative', () => {
    expect(checkChargeRow({ ...line, amount: '3398.59' }, heat)).toMatchObject({ ok: false, code: 'amount_mismatch', known: { period: '2026-09-01' } })
    expect(checkChargeRow({ ...line, kind: 'перерасчёт', quantity: '-1', amount: '-2754.13' }, heat).ok).toBe(true)
    expect(checkChargeRow({ ...line, quantity: '-1', amount: '0' }, heat)).toMatchObject({ code: 'quantity_invalid' })
    expect(checkChargeRow({ ...line, amount: '-1' }, heat)).toMatchObject({ code: 'amount_invalid' })
  })

  it('a penalty has an amount and nothing else', () => {
    expect(checkChargeRow({ accountNumber: '5400012345', period: '2026-09', kind: 'пени', amount: '12,34', lineId: 'P-1' }, heat)).toMatchObject({
      ok: true,
      row: { kind: 'penalty', service: null, quantity: null, tariff: null, coefficient: null, amount: '12.34' },
    })
    expect(checkChargeRow({ ...line, kind: 'penalty' }, heat)).toMatchObject({ code: 'penalty_invalid' })
  })

  it('names the reason of each refusal; a refusal keeps the period it names', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ accountNumber: '' }, 'missing_field'],
      [{ accountNumber: '123' }, 'account_number_invalid'],
      [{ period: '' }, 'missing_field'],
      [{ period: '2026-9' }, 'period_invalid'],
      [{ lineId: '' }, 'missing_field'],
      [{ lineId: 'x'.repeat(101) }, 'too_long'],
      [{ kind: 'по воде' }, 'kind_unknown'],
      [{ service: '' }, 'missing_field'],
      [{ service: 'пар' }, 'service_unknown'],
      [{ service: 'газ' }, 'service_not_supplied'],
      [{ quantity: '' }, 'missing_field'],
      [{ quantity: '1.2345' }, 'quantity_invalid'],
      [{ tariff: '' }, 'missing_field'],
      [{ tariff: '1.23456' }, 'tariff_invalid'],
      [{ coefficient: '0' }, 'coefficient_invalid'],
      [{ coefficient: '1000' }, 'coefficient_invalid'],
      [{ amount: '' }, 'missing_field'],
      [{ amount: '1.234' }, 'amount_invalid'],
      [{ unit: 'кубических метров' }, 'too_long'],
    ]
    for (const [change, code] of cases) expect([change, checkChargeRow({ ...line, ...change }, heat)]).toMatchObject([change, { ok: false, code }])
    expect(checkChargeRow({ ...line, service: 'пар' }, heat)).toMatchObject({ known: { period: '2026-09-01' } })
    expect(checkChargeRow({ ...line, period: '2026-13' }, heat)).not.toHaveProperty('known')
  })
})

describe('parsePaidAt', () => {
  it.each([
    ['2026-11-05', { paidAt: null, paidLocal: '2026-11-05T00:00:00.000' }],
    ['05.11.2026', { paidAt: null, paidLocal: '2026-11-05T00:00:00.000' }],
    ['2026-11-05 10:30', { paidAt: null, paidLocal: '2026-11-05T10:30:00.000' }],
    ['05.11.2026 10:30:15', { paidAt: null, paidLocal: '2026-11-05T10:30:15.000' }],
    ['2026-11-05T10:30:00.5+07:00', { paidAt: '2026-11-05T10:30:00.500+07:00', paidLocal: null }],
    ['2026-11-05T03:30:00Z', { paidAt: '2026-11-05T03:30:00.000Z', paidLocal: null }],
  ])('%s', (text, expected) => {
    expect(parsePaidAt(text)).toEqual(expected)
  })

  it.each(['2026-02-30', '2026-11-05 24:00', '2026-11-05T10:61', '2026-11-05T10:30+15:00', '5.11.2026', '2026-11-05Z', 'вчера'])('refuses %s', (text) => {
    expect(parsePaidAt(text)).toBeNull()
  })
})

describe('checkPaymentRow', () => {
  const payment = { accountNumber: '5400012345', paymentId: 'PAY-1', amount: '1 000,00', paidAt: '05.11.2026', method: 'Сбербанк' }

  it('takes a positive amount, a payment id and a time', () => {
    expect(checkPaymentRow(payment, heat)).toEqual({
      ok: true,
      row: { accountNumber: '5400012345', paymentId: 'PAY-1', amount: '1000.00', paidAt: null, paidLocal: '2026-11-05T00:00:00.000', method: 'Сбербанк' },
    })
  })

  it.each([
    [{ paymentId: '' }, 'missing_field'],
    [{ amount: '0' }, 'amount_invalid'],
    [{ amount: '-5' }, 'amount_invalid'],
    [{ paidAt: '' }, 'missing_field'],
    [{ paidAt: '31.11.2026' }, 'date_invalid'],
    [{ accountNumber: '54' }, 'account_number_invalid'],
  ])('%j → %s', (change, code) => {
    expect(checkPaymentRow({ ...payment, ...change }, heat)).toMatchObject({ ok: false, code })
  })
})
