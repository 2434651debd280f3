// npm run db:check — fails when prisma/schema.prisma needs SQL the migrations do not have.
// It needs no data: without DATABASE_URL it runs on a throwaway server of its own (a free port, a
// temporary folder), never on the development server under .data/, which another checkout's
// check (two CI runs at once) could be starting or stopping meanwhile.
import { startThrowawayPostgres } from '../src/db/embedded.ts'
import { unmigratedSchemaChanges } from '../src/db/scratch.ts'

const given = process.env.DATABASE_URL
const server = given ? null : await startThrowawayPostgres()
let exitCode = 0
try {
  const sql = await unmigratedSchemaChanges(given ?? server!.adminUrl)
  if (sql === '') {
    console.log('db:check: the migrations build exactly prisma/schema.prisma')
  } else {
    console.error('db:check: schema.prisma differs from the migrations; write one with `npm run db:migration -- <name>`:\n')
    console.error(sql)
    exitCode = 1
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  exitCode = 1
} finally {
  await server?.stop()
}
process.exit(exitCode)
