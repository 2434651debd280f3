import { sameSurname } from '../../src/accounts/holder-name.ts'
import { classifyLogin, loginKey, normalizeEmail, normalizePhone } from '../../src/auth/identity.ts'

describe('sameSurname', () => {
  it.each([
    ['Семёнова', 'семенова'],
    ['СЕМЕНОВА', 'Семёнова'],
    [' Иванов ', 'иванов'],
    ['Петров-Водкин', 'петров-водкин'],
  ])('%s matches %s', (a, b) => expect(sameSurname(a, b)).toBe(true))

  it.each([
    ['Иванов', 'Иванова'],
    ['', ''],
    ['Семенов', 'Семёнова'],
  ])('%j does not match %j', (a, b) => expect(sameSurname(a, b)).toBe(false))
})

describe('normalizePhone', () => {
  it.each([
    ['8 (913) 123-45-67', '+79131234567'],
    ['+7 913 123 45 67', '+79131234567'],
    ['9131234567', '+79131234567'],
    ['79131234567', '+79131234567'],
    ['+375291234567', '+375291234567'],
  ])('%s → %s', (input, expected) => expect(normalizePhone(input)).toBe(expected))

  it.each(['12345', 'call me', '8913123456789012'])('refuses %s', (input) => expect(normalizePhone(input)).toBeNull())
})

describe('classifyLogin', () => {
  it('reads an email, lower-cased', () => {
    expect(classifyLogin(' Ivan@Example.RU ')).toEqual({ kind: 'email', value: 'ivan@example.ru' })
    expect(normalizeEmail('A@B.C')).toBe('a@b.c')
  })

  it('reads an account number when a supplier is given, even if it looks like a phone', () => {
    expect(classifyLogin('5400012345', 'sup-1')).toEqual({ kind: 'account', value: '5400012345', supplierId: 'sup-1' })
  })

  it('reads an organization code, case-insensitively', () => {
    expect(classifyLogin('org-7q4m2p')).toEqual({ kind: 'orgCode', value: 'ORG-7Q4M2P' })
  })

  it('reads a phone otherwise, and nothing from junk', () => {
    expect(classifyLogin('8 913 123-45-67')).toEqual({ kind: 'phone', value: '+79131234567' })
    expect(classifyLogin('hello')).toBeNull()
  })

  it('counts attempts for unknown logins under the same kind of key as for known ones', () => {
    expect(loginKey({ kind: 'email', value: 'x@y.z' })).toBe('email:x@y.z')
    expect(loginKey({ kind: 'account', value: '11 0007785', supplierId: 's' })).toBe('account:s:110007785')
  })
})
