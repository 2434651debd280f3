import { createDatabaseClient, type DatabaseClient } from '../../src/db/client.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { formatKopecks } from '../../src/common/money.ts'
import { ledgerSums } from '../../src/ledger/queries.ts'
import { balances, statementTotals } from '../../src/ledger/service.ts'
import { createTestDatabase, type TestDatabase } from '../helper.ts'

let db: TestDatabase
let client: DatabaseClient
let accountId: string
const timeZone = 'Asia/Novosibirsk' // UTC+7

beforeAll(async () => {
  db = await createTestDatabase()
  client = createDatabaseClient(db.url, { max: 2 })
  const p = client.prisma
  await seedDemoData(p)
  accountId = (await p.account.findFirstOrThrow({ where: { number: '5400012346' } })).id
  await p.account.update({ where: { id: accountId }, data: { openingBalance: '250.00' } })
  const charge = (period: string, service: 'heat' | 'hot_water', amount: string) => ({
    accountId, period: new Date(`${period}-01`), service, kind: 'normative' as const, quantity: '1.000', tariff: amount, amount,
  })
  await p.charge.createMany({
    data: [charge('2026-09', 'heat', '1000.00'), charge('2026-10', 'heat', '1000.00'), charge('2026-10', 'hot_water', '200.50'), charge('2026-12', 'heat', '999.99')],
  })
  const payment = (externalId: string, amount: string, paidAt: string, status: 'succeeded' | 'pending' | 'failed' | 'refunded') => ({
    accountId, amount, status, provider: 'bank', externalId, paidAt: new Date(paidAt), refundedAmount: status === 'refunded' ? amount : '0',
  })
  await p.payment.createMany({
    data: [
      payment('sep', '100.00', '2026-09-10T05:00:00Z', 'succeeded'),
      payment('oct-local', '500.00', '2026-09-30T18:00:00Z', 'succeeded'), // 1 October, 01:00 in Novosibirsk
      payment('pending', '300.00', '2026-10-20T05:00:00Z', 'pending'),
      payment('failed', '1000.00', '2026-10-05T05:00:00Z', 'failed'),
      payment('refunded', '50.00', '2026-10-06T05:00:00Z', 'refunded'),
    ],
  })
  // Returned in November: a reversal entry of that month, the October payment left as it was.
  const refunded = await p.payment.findFirstOrThrow({ where: { externalId: 'refunded' } })
  await p.paymentRefund.create({ data: { paymentId: refunded.id, amount: '50.00', externalId: 'r1', refundedAt: new Date('2026-11-10T05:00:00Z') } })
})
afterAll(async () => {
  await client.close()
  await db.drop()
})

describe('the ledger', () => {
  it('balances: carried-in debt + charges − settled payments; pending beside it; failed ones and refunded money count for nothing', async () => {
    const balance = (await balances(client.db, [accountId])).get(accountId)
    // 250.00 + 1000.00 + 1200.50 + 999.99 − 100.00 − 500.00
    expect(balance).toMatchObject({ balance: '2850.49', pendingPayments: '300.00', toPay: '2550.49' })
    expect(balance!.pending).toEqual([{ id: expect.any(String), amount: '300.00', paidAt: '2026-10-20T05:00:00.000Z', provider: 'bank' }])
  })

  it('leaves out unknown accounts, and takes an empty list', async () => {
    expect((await balances(client.db, ['00000000-0000-0000-0000-000000000000'])).size).toBe(0)
    expect((await balances(client.db, [])).size).toBe(0)
  })

  it('closes a statement over every period at the current balance', async () => {
    const s = await statementTotals(client.db, accountId, { from: '2026-09', to: '2026-12', timeZone })
    expect(s).toMatchObject({ openingBalance: '250.00', chargesTotal: '3200.49', paymentsTotal: '600.00', closingBalance: '2850.49' })
    expect(s.periods.map((p) => [p.period, p.payments, p.closingBalance])).toEqual([
      ['2026-09', '100.00', '1150.00'],
      ['2026-10', '550.00', '1800.50'],
      ['2026-11', '-50.00', '1850.50'],
      ['2026-12', '0.00', '2850.49'],
    ])
    expect(s.periods[1]!.charges).toEqual([{ service: 'heat', amount: '1000.00' }, { service: 'hot_water', amount: '200.50' }])
  })

  it('opens a later statement at the balance of everything before it, by the supplier’s calendar', async () => {
    const s = await statementTotals(client.db, accountId, { from: '2026-10', to: '2026-10', timeZone })
    expect(s).toMatchObject({ openingBalance: '1150.00', closingBalance: '1800.50' })
    const before = async (tz: string) => (await ledgerSums(client.db, [accountId], { date: '2026-10-01', timeZone: tz })).get(accountId)!
    // The payment at 18:00 UTC on 30 September is October's in Novosibirsk, September's in UTC.
    expect(formatKopecks((await before(timeZone)).settled)).toBe('100.00')
    expect(formatKopecks((await before('UTC')).settled)).toBe('600.00')
  })

  it('reads inside a transaction what the transaction has posted', async () => {
    const rollback = new Error('rollback')
    await expect(
      client.transaction(async (tx) => {
        await tx.charge.create({
          data: { accountId, period: new Date('2026-11-01'), service: 'heat', kind: 'normative', quantity: '1.000', tariff: '0.51', amount: '0.51' },
        })
        expect((await balances(tx, [accountId])).get(accountId)!.balance).toBe('2851.00')
        throw rollback
      }),
    ).rejects.toBe(rollback)
    expect((await balances(client.db, [accountId])).get(accountId)!.balance).toBe('2850.49')
  })
})
