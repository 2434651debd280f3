import fc from 'fast-check'
import { chooseSeparator, paymentQrPayload, PaymentQrError, purposeField } from '../../src/invoices/payment-qr.ts'
import { PAYEE } from '../support/payee.ts'


/** Splits a payload back into its header, separator and fields, as a bank app does. */
function parse(payload: string) {
  const separator = payload[7]!
  const [header, ...pairs] = payload.split(separator)
  return { header, separator, fields: pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const) }
}

describe('payment QR payload (GOST R 56042-2014)', () => {
  it('writes the header, the mandatory block, then the optional fields in the standard’s order, TechCode last', () => {
    const payload = paymentQrPayload({
      payee: PAYEE,
      amount: 550818n,
      purpose: 'Оплата за водоснабжение за 11.2026',
      accountNumber: '5406-000123',
      period: '2026-11',
      lastName: 'Иванов',
      payerAddress: 'г. Новосибирск, ул. Ленина, д. 5, кв. 7',
    })
    expect(payload).toBe(
      'ST00012|Name=ООО «Горводоканал»|PersonalAcc=40702810744050000001|BankName=Сибирский банк ПАО Сбербанк|BIC=045004641' +
        '|CorrespAcc=30101810500000000641|PayeeINN=5406000018|KPP=540601001|Sum=550818|Purpose=Оплата за водоснабжение за 11.2026' +
        '|PersAcc=5406-000123|PaymPeriod=11.2026|LastName=Иванов|PayerAddress=г. Новосибирск, ул. Ленина, д. 5, кв. 7|TechCode=02',
    )
  })

  it('writes the sum in kopecks, digits alone, and leaves it out when nothing is due', () => {
    expect(parse(paymentQrPayload({ payee: PAYEE, amount: 5n })).fields).toContainEqual(['Sum', '5'])
    expect(parse(paymentQrPayload({ payee: PAYEE, amount: 100000000n })).fields).toContainEqual(['Sum', '100000000'])
    for (const amount of [0n, -1500n, null, undefined]) {
      expect(parse(paymentQrPayload({ payee: PAYEE, amount })).fields.map(([name]) => name)).not.toContain('Sum')
    }
  })

  it('leaves out an empty optional value together with its name', () => {
    const { fields } = parse(paymentQrPayload({ payee: { ...PAYEE, kpp: '' }, purpose: '', lastName: null, accountNumber: '1' }))
    expect(fields.map(([name]) => name)).toEqual(['Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc', 'PayeeINN', 'PersAcc', 'TechCode'])
  })

  it('cuts the purpose at 210 characters, counting a Cyrillic letter as one', () => {
    expect(purposeField('я'.repeat(300))).toBe('я'.repeat(210))
    expect(purposeField('оплата')).toBe('оплата')
    const { fields } = parse(paymentQrPayload({ payee: PAYEE, purpose: 'ж'.repeat(211) }))
    expect(fields.find(([name]) => name === 'Purpose')![1]).toHaveLength(210)
  })

  it('takes the first separator no value contains', () => {
    expect(chooseSeparator(['a', 'b'])).toBe('|')
    expect(chooseSeparator(['a|b', 'c#d'])).toBe(';')
    expect(chooseSeparator(['|#;:^_'])).toBe('~')
    const payload = paymentQrPayload({ payee: { ...PAYEE, name: 'ООО "Вода | Тепло"' }, purpose: 'Счёт #12' })
    expect(payload.startsWith('ST00012;Name=ООО "Вода | Тепло";')).toBe(true)
    expect(() => chooseSeparator(['|#;:^_~'])).toThrow(PaymentQrError)
  })

  it('refuses a mandatory block over 300 bytes (UTF-8: a Cyrillic letter is two; the header is not counted)', () => {
    // The five fields without the name take 145 bytes with this bank: a name of 155 bytes is 300 exactly.
    const payee = (name: string) => ({ payee: { ...PAYEE, name } })
    expect(() => paymentQrPayload(payee(`${'Б'.repeat(77)}x`))).not.toThrow()
    expect(() => paymentQrPayload(payee('Б'.repeat(78)))).toThrow(expect.objectContaining({ code: 'qr_mandatory_block_too_long' }))
    expect(() => paymentQrPayload(payee('B'.repeat(155)))).not.toThrow()
  })

  it('leaves out an empty INN like any other optional value', () => {
    const { fields } = parse(paymentQrPayload({ payee: { ...PAYEE, inn: '', kpp: null } }))
    expect(fields.map(([name]) => name)).toEqual(['Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc', 'TechCode'])
  })

  it('names every requisite a payee lacks', () => {
    const error = (() => {
      try {
        paymentQrPayload({ payee: { ...PAYEE, bankName: '', bik: '04500464', correspondentAccount: '301' } })
      } catch (e) {
        return e as PaymentQrError
      }
    })()
    expect(error).toBeInstanceOf(PaymentQrError)
    expect(error!.code).toBe('supplier_requisites_incomplete')
    expect(error!.fields).toEqual(['bankName', 'bik', 'correspondentAccount'])
  })

  it('gives back every value exactly, whatever the values hold (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('а', 'Б', 'x', ' ', '|', '#', ';', ':', '^', '_', '-', '1', '='), minLength: 1, maxLength: 40 })
    fc.assert(
      fc.property(text, text, text, fc.bigInt({ min: 1n, max: 10n ** 12n }), (name, purpose, address, amount) => {
        let payload: string
        try {
          payload = paymentQrPayload({ payee: { ...PAYEE, name }, purpose, payerAddress: address, amount })
        } catch (e) {
          // Only when every separator is taken, or the name is blank.
          expect((e as PaymentQrError).code).toMatch(/qr_no_separator|supplier_requisites_incomplete/)
          return
        }
        const { header, fields } = parse(payload)
        expect(header).toBe('ST00012')
        const map = new Map(fields)
        expect(map.get('Name')).toBe(name)
        expect(map.get('Purpose')).toBe(purpose)
        expect(map.get('PayerAddress')).toBe(address)
        expect(map.get('Sum')).toBe(amount.toString())
        expect(fields.at(-1)).toEqual(['TechCode', '02'])
      }),
    )
  })
})
