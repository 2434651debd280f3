import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { prefersEnglish } from '../../src/common/language.ts'
import { describeWindow, describeWindowRu, ordinal } from '../../src/common/wording.ts'
import { PROBLEM_DETAILS_RU } from '../../src/common/problem-texts.ts'

describe('the language of problem texts', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['ru', false],
    ['ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7', false],
    ['en', true],
    ['en-US,en;q=0.9', true],
    ['en-GB;q=0.8, ru;q=0.9', false],
    ['ru;q=0.5, en', true],
    ['de-DE, fr', false],
    ['*', false],
    ['en;q=0', false],
  ])('Accept-Language %j → English: %s', (header, english) => {
    expect(prefersEnglish(header)).toBe(english)
  })
})

// Codes not answered as problems (provider names given to errors of the payment adapters).
const NOT_PROBLEM_CODES = new Set(['cloudpayments', 'tbank'])

function thrownCodes(): Set<string> {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name)
      if (statSync(file).isDirectory()) {
        if (name !== 'generated') walk(file)
      } else if (file.endsWith('.ts')) files.push(file)
    }
  }
  walk('src')
  const patterns = [/\b[A-Z][A-Za-z]*Error\(\s*'([a-z][a-z0-9_]+)'/g, /DomainError\(\s*\d+,\s*'([a-z_]+)'/g, /status: \d+,\s*code: '([a-z_]+)'/g, /\{ code: '([a-z_]+)', title:/g, /code: '([a-z_]+)',\s*detail:/g]
  const codes = new Set<string>()
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) codes.add(match[1]!)
  }
  for (const code of NOT_PROBLEM_CODES) codes.delete(code)
  return codes
}

describe('the Russian catalogue', () => {
  it('has a text for every code the code can answer, and none for codes that no longer exist', () => {
    const codes = thrownCodes()
    expect(codes.size).toBeGreaterThan(130)
    expect([...codes].filter((code) => !(code in PROBLEM_DETAILS_RU)).sort()).toEqual([])
    expect(Object.keys(PROBLEM_DETAILS_RU).filter((code) => !codes.has(code)).sort()).toEqual([])
  })

  it('is Russian: Cyrillic in every text, no placeholder left', () => {
    for (const [code, text] of Object.entries(PROBLEM_DETAILS_RU)) {
      expect([code, /[а-яё]/i.test(text), /\$\{|TODO/.test(text)]).toEqual([code, true, false])
    }
  })
})

describe('wording', () => {
  it.each([
    [1000, '1 second', '1 секунду'],
    [60_000, '1 minute', '1 минуту'],
    [120_000, '2 minutes', '2 минуты'],
    [900_000, '15 minutes', '15 минут'],
    [3_600_000, '1 hour', '1 час'],
    [7_200_000, '2 hours', '2 часа'],
    [86_400_000, '1 day', '1 день'],
    [660_000, '11 minutes', '11 минут'],
    [1_260_000, '21 minutes', '21 минуту'],
  ])('a window of %d ms is "%s" / "%s"', (ms, en, ru) => {
    expect(describeWindow(ms)).toBe(en)
    expect(describeWindowRu(ms)).toBe(ru)
  })

  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [25, '25th'],
  ])('day %d is "%s"', (n, text) => {
    expect(ordinal(n)).toBe(text)
  })
})
