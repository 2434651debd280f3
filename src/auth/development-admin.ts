import type { Config } from '../config.ts'
import { createDatabaseClient } from '../db/client.ts'
import { hashPassword } from './password.ts'

/** A ready admin for trying the back office on a development machine; never made anywhere else. */
export const DEVELOPMENT_ADMIN = { email: 'admin@abonent.local', password: 'демо админ пробует кабинет 2026' } as const

/**
 * `npm start` in development with the demo data: makes sure the development admin exists (with
 * its known password, restored if changed) and says how to log in. Production never gets here:
 * it refuses development secrets and seeds nothing.
 */
export async function ensureDevelopmentAdmin(config: Config, databaseUrl: string, log: (line: string) => void): Promise<void> {
  if (config.env !== 'development' || !config.seedDemoData) return
  const db = createDatabaseClient(databaseUrl, { max: 1 })
  try {
    const passwordHash = await hashPassword(DEVELOPMENT_ADMIN.password, config.auth.passwordPepper, config.auth.bcryptCost)
    await db.prisma.user.upsert({
      where: { email: DEVELOPMENT_ADMIN.email },
      create: { role: 'admin', email: DEVELOPMENT_ADMIN.email, emailConfirmedAt: new Date(), surname: 'Администратор', passwordHash },
      update: { passwordHash, role: 'admin', deletedAt: null },
    })
    log(`development admin: ${DEVELOPMENT_ADMIN.email} / ${DEVELOPMENT_ADMIN.password} (POST /v1/auth/login; development only)`)
  } finally {
    await db.close()
  }
}
