import { visibleAccountSql, visibleAccounts } from '../../src/access/visibility.ts'
import type { Caller } from '../../src/access/guard.ts'
import { createDatabaseClient, type DatabaseClient } from '../../src/db/client.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { Prisma, type Role } from '../../src/generated/prisma/client.ts'
import { createTestDatabase, type TestDatabase } from '../helper.ts'

let db: TestDatabase
let client: DatabaseClient
const callers = new Map<string, Caller>()

beforeAll(async () => {
  db = await createTestDatabase()
  client = createDatabaseClient(db.url, { max: 2 })
  const p = client.prisma
  await seedDemoData(p)
  const supplier = async (code: string) => (await p.supplier.findUniqueOrThrow({ where: { code } })).id
  const heat = await supplier('sibteplo')
  const water = await supplier('gorvodokanal')
  const user = async (name: string, role: Role, supplierId: string | null, linked: string[] = []) => {
    const created = await p.user.create({
      data: {
        role,
        supplierId,
        email: `${name}@example.test`,
        surname: name,
        passwordHash: 'not used',
        accounts: { create: await Promise.all(linked.map(async (number) => ({ accountId: (await p.account.findFirstOrThrow({ where: { number } })).id }))) },
      },
    })
    callers.set(name, { userId: created.id, sessionId: '00000000-0000-0000-0000-000000000000', role, supplierId })
  }
  await user('customer', 'customer', null, ['5400012345', '12-0012345'])
  await user('unlinked-customer', 'customer', null)
  // An organization user sees what is linked to it, and of that only its own supplier's (a link
  // to another supplier's account, however it came to be, shows nothing).
  await user('organization', 'organization', heat, ['5400020001', '11-0007785'])
  await user('operator-heat', 'operator', heat)
  await user('operator-water', 'operator', water)
  await user('operator-without-supplier', 'operator', null)
  await user('admin', 'admin', null)
})
afterAll(async () => {
  await client.close()
  await db.drop()
})

async function numbersOf(ids: string[]): Promise<string[]> {
  const accounts = await client.prisma.account.findMany({ where: { id: { in: ids } }, select: { number: true } })
  return accounts.map((a) => a.number).sort()
}

describe('the visibility rule as a Prisma filter and as SQL', () => {
  it.each([
    ['customer', ['12-0012345', '5400012345']],
    ['unlinked-customer', []],
    ['organization', ['5400020001']],
    ['operator-heat', ['5400012345', '5400012346', '5400020001']],
    ['operator-water', ['11-0007785', '12-0012345', '12-0012346']],
    ['operator-without-supplier', []],
    ['admin', ['11-0007785', '12-0012345', '12-0012346', '5400012345', '5400012346', '5400020001', '770100000123', '770100000124']],
  ])('shows %s the same accounts both ways', async (name, expected) => {
    const caller = callers.get(name)!
    const viaPrisma = (await client.prisma.account.findMany({ where: visibleAccounts(caller), select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id)
    const query = Prisma.sql`SELECT a.id FROM account a WHERE ${visibleAccountSql(caller, 'a')} ORDER BY a.id`
    const viaSql = (await client.prisma.$queryRaw<{ id: string }[]>(query)).map((a) => a.id)
    // The same fragment on the pg pool, as the raw-SQL hot paths run their queries.
    const viaPool = (await client.pool.query<{ id: string }>(query.text, query.values)).rows.map((a) => a.id)
    expect(viaSql).toEqual(viaPrisma)
    expect(viaPool).toEqual(viaPrisma)
    expect(await numbersOf(viaPrisma)).toEqual(expected)
  })

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => visibleAccountSql(callers.get('admin')!, 'a; DROP TABLE account')).toThrow()
  })
})
