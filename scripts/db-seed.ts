// npm run db:seed — applies migrations, then inserts the demo data that is missing (idempotent).
import { createDatabaseClient } from '../src/db/client.ts'
import { openMigrator } from '../src/db/migrator.ts'
import { seedDemoData } from '../src/db/seed.ts'
import { withConfiguredDatabase } from './with-database.ts'

await withConfiguredDatabase(async (url) => {
  const migrator = await openMigrator(url)
  await migrator.deploy().finally(() => migrator.close())
  const db = createDatabaseClient(url, { max: 1 })
  try {
    const seeded = await seedDemoData(db.prisma)
    console.log(`Seeded: ${seeded.suppliers} suppliers, ${seeded.accounts} accounts, ${seeded.meters} meters inserted (existing rows kept)`)
  } finally {
    await db.close()
  }
})
