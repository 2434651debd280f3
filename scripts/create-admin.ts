// npm run create-admin -- --email <email> --password <password>
// Creates the first (or another) installation admin. There is no default admin and no default
// password: this command, run by whoever operates the installation, is the only way in.
// Uses the same database selection as `npm start` (DATABASE_URL, else the embedded server).
import { parseArgs } from 'node:util'
import { normalizeEmail } from '../src/auth/identity.ts'
import { hashPassword, judgePassword } from '../src/auth/password.ts'
import { createDatabaseClient } from '../src/db/client.ts'
import { openMigrator } from '../src/db/migrator.ts'
import { withConfiguredDatabase } from './with-database.ts'

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, surname: { type: 'string', default: 'Администратор' } },
  strict: true,
})
if (!values.email || !values.password) {
  console.error('usage: npm run create-admin -- --email <email> --password <password> [--surname <name>]')
  process.exit(2)
}
const email = normalizeEmail(values.email)
const password = values.password

await withConfiguredDatabase(async (url, config) => {
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    console.error(`create-admin: "${email}" is not an email address`)
    return 2
  }
  const verdict = judgePassword(password, [email, values.surname], config.auth.passwordMinScore)
  if (!verdict.ok) {
    console.error(`create-admin: the password is too weak (${verdict.warning ?? `score ${verdict.score}`}); use a longer, uncommon phrase`)
    return 2
  }
  const migrator = await openMigrator(url)
  await migrator.deploy().finally(() => migrator.close())
  const db = createDatabaseClient(url, { max: 1 })
  try {
    if (await db.prisma.user.findUnique({ where: { email } })) {
      console.error(`create-admin: a user with the email ${email} already exists; nothing changed`)
      return 1
    }
    const admin = await db.prisma.user.create({
      data: {
        role: 'admin',
        email,
        emailConfirmedAt: new Date(),
        surname: values.surname,
        passwordHash: await hashPassword(password, config.auth.passwordPepper, config.auth.bcryptCost),
      },
    })
    console.log(`Admin created: ${admin.email} (id ${admin.id})`)
  } finally {
    await db.close()
  }
})
