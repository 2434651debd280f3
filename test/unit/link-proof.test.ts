import fc from 'fast-check'
import { shortName } from '../../src/accounts/holder-name.ts'
import { premisesOf, proofMatches, sameAccessCode } from '../../src/suppliers/link-proof.ts'

const facts = (address: string, lastInvoiceTotal: string | null = null) => ({ accessCode: 'K7M2QX9P', address, lastInvoiceTotal })

describe('access codes', () => {
  it('match as printed, in any case, with spaces or dashes between the characters', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('', ' ', '-', '  '), { minLength: 9, maxLength: 9 }), fc.boolean(), (separators, lower) => {
        const typed = [...'K7M2QX9P'].map((char, i) => `${separators[i]}${lower ? char.toLowerCase() : char}`).join('') + separators[8]
        return sameAccessCode(typed, 'K7M2QX9P')
      }),
    )
  })

  it('any other code does not match, nor an empty one', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Z2-9]{8}$/), (code) => code === 'K7M2QX9P' || !sameAccessCode(code, 'K7M2QX9P')))
    expect(sameAccessCode('', '')).toBe(false)
    expect(sameAccessCode('K7M2QX9', 'K7M2QX9P')).toBe(false)
  })
})

describe('premises numbers', () => {
  it.each([
    ['г. Новосибирск, ул. Ленина, д. 10, кв. 5', '5'],
    ['г. Москва, ул. Тверская, д. 1, кв. 12а', '12а'],
    ['г. Новосибирск, Красный пр-т, д. 25, нежилое помещение 1', '1'],
    ['г. Новосибирск, ул. Садовая, д. 7 (частный сектор)', '7'],
    ['г. Омск, ул. Мира, дом 3/1, квартира 44', '44'],
    ['г. Омск, ул. Мира, д. 3, комн. 2', '2'],
    ['Новосибирская обл., с. Ордынское', null],
  ])('%s → %s', (address, premises) => {
    expect(premisesOf(address)).toBe(premises)
  })

  it('a person may type the number alone or with its word', () => {
    const address = 'г. Москва, ул. Тверская, д. 1, кв. 12а'
    for (const typed of ['12а', '12А', 'кв. 12а', 'кв 12 а', 'Кв.12а']) expect([typed, proofMatches('premises', typed, facts(address))]).toEqual([typed, true])
    for (const typed of ['12', '1', '12б', '', 'кв.']) expect([typed, proofMatches('premises', typed, facts(address))]).toEqual([typed, false])
    // The house number is not the flat's.
    expect(proofMatches('premises', '1', facts(address))).toBe(false)
  })

  it('an address without any number cannot be proven by premises', () => {
    expect(proofMatches('premises', '1', facts('Новосибирская обл., с. Ордынское'))).toBe(false)
  })
})

describe('the last receipt’s total', () => {
  it('matches as people type rubles and kopecks, exactly', () => {
    for (const typed of ['1520.40', '1520,40', '1 520,4', '1520.40 ₽', '1520,40 руб.']) {
      expect([typed, proofMatches('last_invoice_amount', typed, facts('', '1520.40'))]).toEqual([typed, true])
    }
    for (const typed of ['1520', '1520.41', '152040', '1520.400']) {
      expect([typed, proofMatches('last_invoice_amount', typed, facts('', '1520.40'))]).toEqual([typed, false])
    }
    expect(proofMatches('last_invoice_amount', '-300.00', facts('', '-300.00'))).toBe(true)
  })

  it('before the first receipt nothing matches', () => {
    fc.assert(fc.property(fc.string(), (typed) => !proofMatches('last_invoice_amount', typed, facts('', null))))
  })
})

describe('names other holders see', () => {
  it('are the surname and initials', () => {
    expect(shortName({ surname: 'Иванов', givenNames: 'Иван Петрович' })).toBe('Иванов И. П.')
    expect(shortName({ surname: 'Петров', givenNames: null })).toBe('Петров')
    expect(shortName({ surname: 'Ли', givenNames: '  ёлка ' })).toBe('Ли Ё.')
  })
})
