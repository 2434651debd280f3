import { seedDemoData } from '../../src/db/seed.ts'
import { createDatabaseClient, type DatabaseClient } from '../../src/db/client.ts'
import { createTestDatabase, type TestDatabase } from '../helper.ts'

let db: TestDatabase
let client: DatabaseClient

beforeAll(async () => {
  db = await createTestDatabase()
  client = createDatabaseClient(db.url, { max: 2 })
})
afterAll(async () => {
  await client.close()
  await db.drop()
})

async function snapshot() {
  const suppliers = await client.prisma.supplier.findMany({ orderBy: { id: 'asc' } })
  const accounts = await client.prisma.account.findMany({ orderBy: { id: 'asc' } })
  const meters = await client.prisma.meter.findMany({ orderBy: { id: 'asc' } })
  return JSON.stringify({ suppliers, accounts, meters })
}

describe('demo seed', () => {
  it('creates the demo suppliers and accounts in an empty database', async () => {
    expect(await seedDemoData(client.prisma)).toEqual({ suppliers: 3, accounts: 8, meters: 5 })
    const water = await client.prisma.supplier.findUniqueOrThrow({ where: { code: 'gorvodokanal' }, include: { accounts: true } })
    expect(water.timeZone).toBe('Asia/Novosibirsk')
    // The private-sector account is stored in its full, normalized form.
    expect(water.accounts.map((a) => a.number)).toContain('11-0007785')
  })

  it('is idempotent: a second run changes nothing, not even timestamps', async () => {
    const before = await snapshot()
    expect(await seedDemoData(client.prisma)).toEqual({ suppliers: 0, accounts: 0, meters: 0 })
    expect(await snapshot()).toBe(before)
  })

  it('never overwrites what an operator changed', async () => {
    await client.prisma.supplier.update({ where: { code: 'sibteplo' }, data: { name: 'Renamed by an operator' } })
    await seedDemoData(client.prisma)
    expect((await client.prisma.supplier.findUniqueOrThrow({ where: { code: 'sibteplo' } })).name).toBe('Renamed by an operator')
  })
})
