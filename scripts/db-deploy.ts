// npm run db:deploy — applies prisma/migrations (same records as `prisma migrate deploy`).
import { openMigrator } from '../src/db/migrator.ts'
import { withConfiguredDatabase } from './with-database.ts'

await withConfiguredDatabase(async (url) => {
  const migrator = await openMigrator(url)
  try {
    const applied = await migrator.deploy()
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Migrations: up to date')
  } finally {
    await migrator.close()
  }
})
