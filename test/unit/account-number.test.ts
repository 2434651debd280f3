import { accountNumberFormatOf, normalizeAccountNumber, type AccountNumberFormat } from '../../src/suppliers/account-number.ts'

const novosibirskWater: AccountNumberFormat = {
  pattern: '^\\d{2}-\\d{7}$',
  example: '11-0007785',
  shortForm: { pattern: '^\\d{1,7}$', prefix: '11-', padLength: 7 },
}
const tenDigits: AccountNumberFormat = { pattern: '^\\d{10}$', example: '5400012345', shortForm: null }

describe('normalizeAccountNumber', () => {
  it('expands the private-sector short form: 7785 is 11-0007785 (DOMAIN.md)', () => {
    expect(normalizeAccountNumber('7785', novosibirskWater)).toEqual({ ok: true, number: '11-0007785' })
  })

  it('keeps the full form as it is', () => {
    expect(normalizeAccountNumber('12-0012345', novosibirskWater)).toEqual({ ok: true, number: '12-0012345' })
  })

  it('cleans spaces and typographic dashes people paste from receipts', () => {
    expect(normalizeAccountNumber(' 11 – 0007785 ', novosibirskWater)).toEqual({ ok: true, number: '11-0007785' })
    expect(normalizeAccountNumber('11\u22120007785', novosibirskWater)).toEqual({ ok: true, number: '11-0007785' })
  })

  it('lays digits typed without separators into the printed shape', () => {
    expect(normalizeAccountNumber('12 0012345', novosibirskWater)).toEqual({ ok: true, number: '12-0012345' })
    expect(normalizeAccountNumber('120012345', novosibirskWater)).toEqual({ ok: true, number: '12-0012345' })
    expect(normalizeAccountNumber('1200-12345', novosibirskWater)).toEqual({ ok: true, number: '12-0012345' })
  })

  it('refuses a short form longer than the padding allows', () => {
    const result = normalizeAccountNumber('12345678', novosibirskWater)
    expect(result.ok).toBe(false)
    expect(result).toMatchObject({ reason: expect.stringContaining('11-0007785') })
  })

  it('refuses a short form where the supplier has none', () => {
    expect(normalizeAccountNumber('7785', tenDigits).ok).toBe(false)
  })

  it('anchors patterns even when written without ^ and $', () => {
    const unanchored = { ...tenDigits, pattern: '\\d{10}' }
    expect(normalizeAccountNumber('54000123456', unanchored).ok).toBe(false)
    expect(normalizeAccountNumber('5400012345', unanchored).ok).toBe(true)
  })

  it('refuses empty input', () => {
    expect(normalizeAccountNumber('   ', tenDigits)).toEqual({ ok: false, reason: 'The account number is empty.' })
  })
})

describe('accountNumberFormatOf', () => {
  it('has no short form unless pattern and padding are both set', () => {
    const columns = {
      accountNumberPattern: '^\\d{2}-\\d{7}$',
      accountNumberExample: '11-0007785',
      accountNumberShortPattern: '^\\d{1,7}$',
      accountNumberShortPrefix: '11-',
      accountNumberShortPadLength: null,
    }
    expect(accountNumberFormatOf(columns).shortForm).toBeNull()
    expect(accountNumberFormatOf({ ...columns, accountNumberShortPadLength: 7 }).shortForm).toEqual({
      pattern: '^\\d{1,7}$',
      prefix: '11-',
      padLength: 7,
    })
  })
})
