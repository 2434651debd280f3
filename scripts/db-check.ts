// npm run db:check — fails when prisma/schema.prisma needs SQL the migrations do not have.
import { unmigratedSchemaChanges } from '../src/db/scratch.ts'
import { withConfiguredDatabase } from './with-database.ts'

await withConfiguredDatabase(async (url) => {
  const sql = await unmigratedSchemaChanges(url)
  if (sql === '') {
    console.log('db:check: the migrations build exactly prisma/schema.prisma')
    return 0
  }
  console.error('db:check: schema.prisma differs from the migrations; write one with `npm run db:migration -- <name>`:\n')
  console.error(sql)
  return 1
})
