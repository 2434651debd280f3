// Generates the Prisma client offline. The `prisma` CLI wants its native schema engine for every
// command, and downloads it when missing; `generate` never uses it, so naming any existing file
// through Prisma's own PRISMA_SCHEMA_ENGINE_BINARY variable stops the download. Migrations use
// the WebAssembly engine instead (src/db/migrator.ts).
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
let cli
try {
  cli = require.resolve('prisma/build/index.js', { paths: [root] })
} catch {
  // Production installs (`npm ci --omit=dev`) have no CLI; they ship a client generated at build time.
  console.log('prisma-generate: the prisma CLI is not installed; skipping')
  process.exit(0)
}
const result = spawnSync(process.execPath, [cli, 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
})
process.exit(result.status ?? 1)
