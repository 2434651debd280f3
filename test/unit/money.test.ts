import fc from 'fast-check'
import {
  addKopecks,
  formatKopecks,
  multiplyToKopecks,
  parseKopecks,
  parseWrittenAmount,
  parseWrittenDecimal,
  rubles,
  subtractKopecks,
  sumKopecks,
  toKopecks,
} from '../../src/common/money.ts'

// Amounts up to numeric(14, 2) and well past it: bigint has no ceiling to hide behind.
const kopecks = fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n })

/** An exact decimal string with `scale` decimals from an integer number of its smallest units. */
function decimal(units: bigint, scale: number): string {
  const abs = units < 0n ? -units : units
  const digits = abs.toString().padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return units < 0n ? `-${text}` : text
}

describe('parseKopecks', () => {
  it.each([
    ['1234.56', 123456n],
    ['-0.5', -50n],
    ['0.07', 7n],
    ['-0.07', -7n],
    ['1259', 125900n],
    ['0', 0n],
    ['-0.00', 0n],
    ['007.10', 710n],
    ['99999999999999.99', 9999999999999999n],
  ])('reads %s', (text, expected) => {
    expect(parseKopecks(text)).toBe(expected)
  })

  it.each(['', '-', '1.', '.5', '1.234', '1.2.3', '1,50', '+1.00', ' 1.00', '1.00 ', '1e3', 'NaN', 'Infinity', '0x10', '--1', '1 234.00', '١٢'])(
    'refuses %j',
    (text) => {
      expect(parseKopecks(text)).toBeNull()
    },
  )

  it('toKopecks throws where parseKopecks gives null', () => {
    expect(() => toKopecks('1.234')).toThrow(RangeError)
    expect(toKopecks('1.23')).toBe(123n)
  })
})

describe('parseWrittenDecimal (quantities and prices in register files)', () => {
  it('keeps the digits as written, within numeric(digits + scale, scale)', () => {
    expect(parseWrittenDecimal('1 234,567', 11, 3)).toBe('1234.567')
    expect(parseWrittenDecimal('-0,5', 11, 3)).toBe('-0.5')
    expect(parseWrittenDecimal('2754.1200', 8, 4)).toBe('2754.1200')
    expect(parseWrittenDecimal('99999999', 8, 4)).toBe('99999999')
  })
  it('refuses more digits than the column holds, and what is not a decimal', () => {
    for (const bad of ['', '-', '1.', '.5', '1.23456', '123456789', '1e3', '1,2,3', 'abc']) expect(parseWrittenDecimal(bad, 8, 4)).toBeNull()
  })
})

describe('parseWrittenAmount (register files)', () => {
  it('takes digit groups, a comma or a point, and up to two decimals', () => {
    expect(parseWrittenAmount('1 234,56')).toBe(123456n)
    expect(parseWrittenAmount('1\u00a0234.5')).toBe(123450n)
    expect(parseWrittenAmount('-300')).toBe(-30000n)
    expect(parseWrittenAmount('999999999999.99')).toBe(99999999999999n)
  })
  it('refuses what is not an amount', () => {
    for (const bad of ['', '-', '1,2,3', '1.234', '12e3', '1000000000000', 'abc', '0x10']) expect(parseWrittenAmount(bad)).toBeNull()
  })
  it('reads back whatever formatKopecks writes, with groups or a comma', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -99999999999999n, max: 99999999999999n }), (k) => {
        const text = formatKopecks(k)
        expect(parseWrittenAmount(text)).toBe(k)
        expect(parseWrittenAmount(text.replace('.', ','))).toBe(k)
        expect(parseWrittenAmount(text.replace(/\B(?=(\d{3})+(?!\d))/g, ' '))).toBe(k)
      }),
    )
  })
})

describe('formatKopecks', () => {
  it.each([
    [123456n, '1234.56'],
    [-50n, '-0.50'],
    [-7n, '-0.07'],
    [0n, '0.00'],
    [100n, '1.00'],
  ])('writes %s as %s', (value, expected) => {
    expect(formatKopecks(value)).toBe(expected)
  })

  it('reads back what it writes: parse(format(x)) = x', () => {
    fc.assert(fc.property(kopecks, (x) => parseKopecks(formatKopecks(x)) === x))
  })

  it('always writes the Money pattern of the API', () => {
    fc.assert(fc.property(kopecks, (x) => /^-?\d+\.\d{2}$/.test(formatKopecks(x))))
  })
})

describe('adding and subtracting', () => {
  it('is bigint arithmetic: commutative, associative, with subtraction its inverse', () => {
    fc.assert(
      fc.property(kopecks, kopecks, kopecks, (a, b, c) => {
        expect(addKopecks(a, b)).toBe(addKopecks(b, a))
        expect(addKopecks(addKopecks(a, b), c)).toBe(addKopecks(a, addKopecks(b, c)))
        expect(subtractKopecks(addKopecks(a, b), b)).toBe(a)
        expect(sumKopecks([a, b, c])).toBe(a + b + c)
      }),
    )
  })

  it('adds decimal strings exactly, where floats would not', () => {
    expect(formatKopecks(addKopecks(toKopecks('0.10'), toKopecks('0.20')))).toBe('0.30')
    expect(formatKopecks(sumKopecks(['2754.12', '760.52', '0.01'].map(toKopecks)))).toBe('3514.65')
    expect(sumKopecks([])).toBe(0n)
  })

  it('sums decimal strings the same as summing their kopecks', () => {
    fc.assert(
      fc.property(fc.array(kopecks), (xs) => toKopecks(formatKopecks(sumKopecks(xs.map((x) => toKopecks(formatKopecks(x)))))) === xs.reduce((s, x) => s + x, 0n)),
    )
  })
})

describe('multiplyToKopecks (quantity × tariff, rounded half-up)', () => {
  it.each([
    ['1.234', '2754.1200', 339858n], // 3398.584080
    ['3.100', '245.3300', 76052n], // 760.523
    ['1.000', '0.0050', 1n], // exactly half a kopeck: up
    ['1.000', '0.0049', 0n],
    ['-1.000', '0.0050', -1n], // halves go away from zero, as round() in PostgreSQL
    ['-1.000', '0.0049', 0n],
    ['0.001', '0.0001', 0n],
    ['2', '3', 600n],
    ['1.5', '1.5', 225n],
    ['12345678901.123', '99999999.9999', 123456789011106543211n], // 1234567890111065432.1098877
  ])('%s × %s', (quantity, tariff, expected) => {
    expect(multiplyToKopecks(quantity, tariff)).toBe(expected)
  })

  it.each([['1.2.3', '1'], ['1', ''], ['1e2', '1'], ['0.5', '.5']])('refuses %j × %j', (a, b) => {
    expect(() => multiplyToKopecks(a, b)).toThrow(RangeError)
  })

  it('matches a reference rounding done in bigint: floor((2|p| + 10^5) / (2·10^5)), signed', () => {
    const quantity = fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }) // numeric(14, 3) in thousandths
    const tariff = fc.bigInt({ min: 0n, max: 10n ** 12n - 1n }) // numeric(12, 4) in ten-thousandths
    fc.assert(
      fc.property(quantity, tariff, (q, t) => {
        const product = q * t // scale 7
        const divisor = 10n ** 5n
        const abs = product < 0n ? -product : product
        const magnitude = (2n * abs + divisor) / (2n * divisor)
        const reference = product < 0n ? -magnitude : magnitude
        return multiplyToKopecks(decimal(q, 3), decimal(t, 4)) === reference
      }),
    )
  })

  it('is exact for amounts that need no rounding', () => {
    fc.assert(fc.property(kopecks, fc.bigInt({ min: -1000n, max: 1000n }), (x, n) => multiplyToKopecks(formatKopecks(x), n.toString()) === x * n))
  })
})

describe('rubles', () => {
  it('prints exact amounts the Russian way', () => {
    expect(rubles('1234567.50')).toBe('1\u00a0234\u00a0567,50 ₽')
    expect(rubles('-0.07')).toBe('−0,07 ₽')
    expect(rubles('0.00')).toBe('0,00 ₽')
    expect(rubles('5508.18')).toBe('5\u00a0508,18 ₽')
    expect(rubles(-123456789n)).toBe('−1\u00a0234\u00a0567,89 ₽')
    expect(rubles('999')).toBe('999,00 ₽')
  })

  it('reads back to the same kopecks', () => {
    fc.assert(
      fc.property(kopecks, (x) => {
        const printed = rubles(x)
        return parseKopecks(printed.replace(' ₽', '').replaceAll('\u00a0', '').replace('−', '-').replace(',', '.')) === x
      }),
    )
  })
})
