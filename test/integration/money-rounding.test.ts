import fc from 'fast-check'
import { multiplyToKopecks, toKopecks } from '../../src/common/money.ts'
import { createDatabaseClient, type DatabaseClient } from '../../src/db/client.ts'
import { createTestDatabase, type TestDatabase } from '../helper.ts'

let db: TestDatabase
let client: DatabaseClient

beforeAll(async () => {
  db = await createTestDatabase({ empty: true })
  client = createDatabaseClient(db.url, { max: 1 })
})
afterAll(async () => {
  await client.close()
  await db.drop()
})

/** An exact decimal string with `scale` decimals from an integer number of its smallest units. */
function decimal(units: bigint, scale: number): string {
  const abs = units < 0n ? -units : units
  const digits = abs.toString().padStart(scale + 1, '0')
  return `${units < 0n ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

describe('multiplyToKopecks', () => {
  it('rounds quantity × tariff as PostgreSQL’s round(numeric(14,3) * numeric(12,4), 2) does', async () => {
    // Ties (an exact half kopeck) are rare at random, so some are written out.
    const ties: [string, string][] = [['1.000', '0.0050'], ['-1.000', '0.0050'], ['0.500', '0.0100'], ['-0.500', '0.0100'], ['3.000', '0.0015'], ['12.345', '0.0010']]
    const sample = (maxQuantity: bigint, maxTariff: bigint) =>
      fc.sample(fc.tuple(fc.bigInt({ min: -maxQuantity, max: maxQuantity }), fc.bigInt({ min: 0n, max: maxTariff })), { numRuns: 1000, seed: 354 })
        .map(([q, t]): [string, string] => [decimal(q, 3), decimal(t, 4)])
    // The full range of the columns, and everyday amounts (up to 100 units at up to 100 ₽).
    const pairs = [...ties, ...sample(10n ** 14n - 1n, 10n ** 12n - 1n), ...sample(100_000n, 1_000_000n)]
    const rows = await client.prisma.$queryRaw<{ amount: string }[]>`
      SELECT round(q::numeric(14, 3) * t::numeric(12, 4), 2)::text AS amount
      FROM unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => p[1])}::text[]) WITH ORDINALITY AS x(q, t, n)
      ORDER BY n`
    expect(pairs.map(([q, t]) => multiplyToKopecks(q, t))).toEqual(rows.map((r) => toKopecks(r.amount)))
  })
})
