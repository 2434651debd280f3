import fc from 'fast-check'
import { computePenalties, HOUSING_CODE_RULES, type KeyRate, type PenaltyRules } from '../../src/billing/penalties.ts'
import { chargePenalties } from '../../src/billing/penalty-sql.ts'
import { formatKopecks } from '../../src/common/money.ts'
import { uuidv7 } from '../../src/common/uuid.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import type { Tx } from '../../src/db/transaction.ts'
import { buildTestApp, type TestContext } from '../helper.ts'

/**
 * The run's penalty SQL against the pure rule it implements (billing/penalties.ts): random debts,
 * payments, key rates, due days and time zones, one account at a time, in a transaction that is
 * rolled back. The SQL must owe to the kopeck what the pure module computes.
 */
let ctx: TestContext

beforeAll(async () => {
  ctx = await buildTestApp()
  await seedDemoData(ctx.client.prisma)
})
afterAll(() => ctx.close())

class RolledBack extends Error {}

/** Runs `work` on a new supplier (a copy of a seeded one) and rolls everything back. */
async function onFreshSupplier(setup: { dueDay: number; timeZone: string }, work: (tx: Tx, supplierId: string) => Promise<void>) {
  await ctx.client
    .transaction(async (tx) => {
      const supplierId = uuidv7()
      await tx.query(
        `INSERT INTO supplier SELECT (jsonb_populate_record(NULL::supplier, to_jsonb(s) || jsonb_build_object(
           'id', $1::text, 'code', 'penalty-' || $1::text, 'paymentDueDay', $2::int, 'timeZone', $3::text))).*
         FROM supplier s WHERE code = 'gorvodokanal'`,
        [supplierId, setup.dueDay, setup.timeZone],
      )
      await work(tx, supplierId)
      throw new RolledBack()
    })
    .catch((error) => {
      if (!(error instanceof RolledBack)) throw error
    })
}

async function newAccount(tx: Tx, supplierId: string, opening = '0') {
  const id = uuidv7()
  await tx.query(
    `INSERT INTO account (id, "supplierId", number, "holderSurname", address, services, "openingBalance", "updatedAt")
     VALUES ($1::uuid, $2::uuid, $3, 'Пенина', 'г. Новосибирск, ул. Тестовая, 2', '{}', $4::numeric, now())`,
    [id, supplierId, `12-${id.slice(-7).replace(/[^0-9]/g, '0')}`, opening],
  )
  return id
}

async function addCharges(tx: Tx, accountId: string, lines: { period: string; amount: string; kind?: 'metered' | 'penalty' }[]) {
  await tx.query(
    `INSERT INTO charge (id, "accountId", period, service, kind, quantity, tariff, amount)
     SELECT gen_random_uuid(), $1::uuid, (p || '-01')::date,
            CASE WHEN k = 'penalty' THEN NULL ELSE 'cold_water'::"Service" END, k::"ChargeKind",
            CASE WHEN k = 'penalty' THEN NULL ELSE 1 END, CASE WHEN k = 'penalty' THEN NULL ELSE a END, a
     FROM unnest($2::text[], $3::numeric[], $4::text[]) AS l(p, a, k)`,
    [accountId, lines.map((l) => l.period), lines.map((l) => l.amount), lines.map((l) => l.kind ?? 'metered')],
  )
}

/** Settled payments at noon of a local date in the supplier's time zone (and a few that do not count). */
async function addPayments(tx: Tx, accountId: string, timeZone: string, payments: { date: string; amount: string; status?: string }[]) {
  await tx.query(
    `INSERT INTO payment (id, "accountId", amount, status, provider, "paidAt")
     SELECT gen_random_uuid(), $1::uuid, a, s::"PaymentStatus", 'test', (d || ' 12:00')::timestamp AT TIME ZONE $2
     FROM unnest($3::text[], $4::numeric[], $5::text[]) AS p(d, a, s)`,
    [accountId, timeZone, payments.map((p) => p.date), payments.map((p) => p.amount), payments.map((p) => p.status ?? 'succeeded')],
  )
}

async function setKeyRates(tx: Tx, rates: KeyRate[]) {
  await tx.query(`DELETE FROM key_rate`)
  await tx.query(
    `INSERT INTO key_rate (id, "effectiveFrom", percent, "updatedAt") SELECT gen_random_uuid(), f::date, p::numeric, now() FROM unnest($1::text[], $2::text[]) AS k(f, p)`,
    [rates.map((r) => r.from), rates.map((r) => r.percent)],
  )
}

async function penaltyLine(tx: Tx, accountId: string, period: string) {
  const [line] = await tx.query<{ amount: string; basis: { owed: string; chargedBefore: string; parts?: { penalty: string; days: number }[] } }>(
    `SELECT amount::text, basis FROM charge WHERE "accountId" = $1::uuid AND period = $2::date AND kind = 'penalty' AND "runId" IS NOT NULL`,
    [accountId, `${period}-01`],
  )
  return line
}

/** The due date of a period's charges: the due day of the next month, or its last day if shorter. */
function dueDate(period: string, dueDay: number) {
  const [year, month] = period.split('-').map(Number) as [number, number]
  const next = new Date(Date.UTC(year, month, 1))
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate()
  return new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth(), Math.min(dueDay, lastDay))).toISOString().slice(0, 10)
}

const kopecks = (amount: string) => BigInt(amount.replace('.', ''))
const rubles = (k: number) => formatKopecks(BigInt(k))

const PERIODS = Array.from({ length: 22 }, (_, i) => new Date(Date.UTC(2025, i, 1)).toISOString().slice(0, 7)) // 2025-01 .. 2026-10
const dayIn = fc.integer({ min: 0, max: 700 }).map((d) => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10))

const scenario = fc.record({
  dueDay: fc.integer({ min: 1, max: 28 }), // the supplier's CHECK
  timeZone: fc.constantFrom('Europe/Moscow', 'Asia/Novosibirsk', 'Asia/Vladivostok', 'Europe/Kaliningrad'),
  capped: fc.boolean(),
  debts: fc.uniqueArray(fc.record({ period: fc.constantFrom(...PERIODS), amount: fc.integer({ min: 1, max: 5_000_000 }) }), { selector: (d) => d.period, maxLength: 8 }),
  payments: fc.array(fc.record({ date: dayIn, amount: fc.integer({ min: 1, max: 5_000_000 }) }), { maxLength: 8 }),
  rates: fc.uniqueArray(fc.record({ from: dayIn, percent: fc.constantFrom('7.5', '9.5', '12.25', '16', '21') }), { selector: (r) => r.from, maxLength: 4 }),
})

describe('penalty SQL = the pure rule', () => {
  it('owes what computePenalties owes, to the kopeck, for random debts, payments, rates, due days and time zones', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const rules: PenaltyRules = s.capped ? HOUSING_CODE_RULES : { ...HOUSING_CODE_RULES, cap: null }
        const rates: KeyRate[] = [{ from: '2024-01-01', percent: '16' }, ...s.rates]
        const asOf = '2026-11-30'
        const expected = computePenalties(
          s.debts.map((d) => ({ id: d.period, amount: BigInt(d.amount), dueDate: dueDate(d.period, s.dueDay) })),
          s.payments.map((p) => ({ amount: BigInt(p.amount), date: p.date })),
          asOf,
          rates,
          rules,
        )
        await onFreshSupplier(s, async (tx, supplierId) => {
          await setKeyRates(tx, rates)
          const accountId = await newAccount(tx, supplierId)
          await addCharges(tx, accountId, s.debts.map((d) => ({ period: d.period, amount: rubles(d.amount) })))
          // Pending and failed payments, and settled ones after the day of the calculation, do not count.
          await addPayments(tx, accountId, s.timeZone, [
            ...s.payments.map((p) => ({ date: p.date, amount: rubles(p.amount) })),
            { date: '2025-06-01', amount: '100000.00', status: 'pending' },
            { date: '2025-06-01', amount: '100000.00', status: 'failed' },
            { date: '2026-12-01', amount: '100000.00' },
          ])
          const result = await chargePenalties(tx, supplierId, '2026-11-01', asOf, uuidv7(), rules)
          expect(result.rateMissing).toEqual([])
          const line = await penaltyLine(tx, accountId, '2026-11')
          if (expected.total === 0n) {
            expect(line).toBeUndefined()
            return
          }
          expect(line?.amount).toBe(formatKopecks(expected.total))
          // The parts shown to the customer are the pure rule's parts that carry a penalty.
          expect(line!.basis.parts!.map((p) => p.penalty)).toEqual(
            expected.parts
              .filter((p) => p.penalty > 0n)
              .sort((a, b) => a.debtId.localeCompare(b.debtId) || (a.paidOn ?? '9999').localeCompare(b.paidOn ?? '9999'))
              .map((p) => formatKopecks(p.penalty)),
          )
        })
      }),
      { numRuns: 60 },
    )
  })
})

describe('penalty lines of a run', () => {
  it('charge what is owed less what earlier periods charged: a late payment is trued up by the next run', async () => {
    await onFreshSupplier({ dueDay: 15, timeZone: 'Asia/Novosibirsk' }, async (tx, supplierId) => {
      await setKeyRates(tx, [{ from: '2025-01-01', percent: '9.5' }])
      const accountId = await newAccount(tx, supplierId)
      // 10 000.00 for August, due 15 September; 120 days late is 13 January (the worked example: 409.23).
      await addCharges(tx, accountId, [{ period: '2026-08', amount: '10000.00' }])
      // October: unpaid on 31 October, 46 days late: 10000 × 9.5 % × 16 / 300 = 50.67.
      await chargePenalties(tx, supplierId, '2026-10-01', '2026-10-31', uuidv7(), HOUSING_CODE_RULES)
      expect(await penaltyLine(tx, accountId, '2026-10')).toMatchObject({ amount: '50.67', basis: { owed: '50.67', chargedBefore: '0.00' } })
      // November: 76 days: 46 × 1/300 → 145.67 owed, 95.00 more.
      await chargePenalties(tx, supplierId, '2026-11-01', '2026-11-30', uuidv7(), HOUSING_CODE_RULES)
      expect(await penaltyLine(tx, accountId, '2026-11')).toMatchObject({ amount: '95.00', basis: { owed: '145.67', chargedBefore: '50.67' } })
      // Paid on 13 January at 00:30 local time (12 January in UTC): the delay ends on day 120, at 409.23 in all.
      await tx.query(`INSERT INTO payment (id, "accountId", amount, status, provider, "paidAt") VALUES (gen_random_uuid(), $1::uuid, 10000, 'succeeded', 'test', '2027-01-12T17:30:00Z')`, [accountId])
      await chargePenalties(tx, supplierId, '2026-12-01', '2026-12-31', uuidv7(), HOUSING_CODE_RULES)
      await chargePenalties(tx, supplierId, '2027-01-01', '2027-01-31', uuidv7(), HOUSING_CODE_RULES)
      const december = await penaltyLine(tx, accountId, '2026-12')
      const january = await penaltyLine(tx, accountId, '2027-01')
      expect(kopecks(december!.amount) + kopecks(january!.amount) + 5067n + 9500n).toBe(40_923n)
      // Nothing more is owed: February has no line.
      await chargePenalties(tx, supplierId, '2027-02-01', '2027-02-28', uuidv7(), HOUSING_CODE_RULES)
      expect(await penaltyLine(tx, accountId, '2027-02')).toBeUndefined()
    })
  })

  it('a positive opening balance takes the first payments and carries no penalty; an advance pays the first debt', async () => {
    await onFreshSupplier({ dueDay: 15, timeZone: 'Europe/Moscow' }, async (tx, supplierId) => {
      await setKeyRates(tx, [{ from: '2025-01-01', percent: '9.5' }])
      const owing = await newAccount(tx, supplierId, '3000.00')
      const ahead = await newAccount(tx, supplierId, '-3000.00')
      for (const id of [owing, ahead]) await addCharges(tx, id, [{ period: '2026-08', amount: '3000.00' }])
      await addPayments(tx, owing, 'Europe/Moscow', [{ date: '2026-09-10', amount: '3000.00' }])
      await chargePenalties(tx, supplierId, '2026-10-01', '2026-10-31', uuidv7(), HOUSING_CODE_RULES)
      // The payment went to the opening balance; August's 3000.00 is 46 days late: 3000 × 9.5 % × 16 / 300 = 15.20.
      expect((await penaltyLine(tx, owing, '2026-10'))?.amount).toBe('15.20')
      expect(await penaltyLine(tx, ahead, '2026-10')).toBeUndefined()
    })
  })

  it('reports the accounts whose delay needs a key rate the table lacks, and charges them nothing', async () => {
    await onFreshSupplier({ dueDay: 15, timeZone: 'Europe/Moscow' }, async (tx, supplierId) => {
      await setKeyRates(tx, [{ from: '2027-01-01', percent: '9.5' }])
      const accountId = await newAccount(tx, supplierId)
      await addCharges(tx, accountId, [{ period: '2026-08', amount: '3000.00' }])
      const result = await chargePenalties(tx, supplierId, '2026-10-01', '2026-10-31', uuidv7(), HOUSING_CODE_RULES)
      expect(result.rateMissing).toHaveLength(1)
      expect(await penaltyLine(tx, accountId, '2026-10')).toBeUndefined()
    })
  })
})
