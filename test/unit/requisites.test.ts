import {
  patternProblem,
  validBik,
  validCorrespondentAccount,
  validInn,
  validKpp,
  validSettlementAccount,
  validTimeZone,
} from '../../src/suppliers/requisites.ts'

describe('INN', () => {
  it.each(['7707083893', '5406000018', '500100732259'])('accepts %s', (inn) => expect(validInn(inn)).toBe(true))
  it.each(['7707083894', '540600001', '500100732258', '77070838931', 'ABCDEFGHIJ'])('refuses %s', (inn) => expect(validInn(inn)).toBe(false))
})

describe('bank requisites', () => {
  it('accept the demo suppliers’ accounts', () => {
    expect(validBik('045004641')).toBe(true)
    expect(validKpp('540601001')).toBe(true)
    expect(validSettlementAccount('40702810744050000001', '045004641')).toBe(true)
    expect(validCorrespondentAccount('30101810500000000641', '045004641')).toBe(true)
    expect(validCorrespondentAccount('30101810400000000225', '044525225')).toBe(true)
  })

  it('catch a single mistyped digit', () => {
    expect(validSettlementAccount('40702810744050000002', '045004641')).toBe(false)
    expect(validSettlementAccount('40702810744050000001', '045004642')).toBe(false)
    expect(validCorrespondentAccount('30101810500000000642', '045004641')).toBe(false)
    expect(validBik('145004641')).toBe(false)
  })
})

describe('supplier settings', () => {
  it('time zones are IANA names', () => {
    expect(validTimeZone('Asia/Novosibirsk')).toBe(true)
    expect(validTimeZone('Mars/Olympus')).toBe(false)
    expect(validTimeZone('MSK')).toBe(false)
  })

  it('an account-number pattern must compile and match its example', () => {
    expect(patternProblem('^\\d{2}-\\d{7}$', '11-0007785')).toBeNull()
    expect(patternProblem('^\\d{2}-\\d{7}$', '110007785')).toMatch(/example/)
    expect(patternProblem('^(\\d{2}$', '11')).toMatch(/regular expression/)
  })
})
