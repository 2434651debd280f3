// Read by the `prisma` CLI only (generate, studio). The application never loads this file:
// it takes its connection string from the validated config (src/config.ts).
import { defineConfig } from 'prisma/config'

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
})
