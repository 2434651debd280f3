import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort, startEmbeddedPostgres } from '../../src/db/embedded.ts'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('the embedded PostgreSQL of `npm start`', () => {
  it('stops at once when its server already went away under the app (a crash, a pg_ctl restart)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'abonent-embedded-'))
    try {
      const embedded = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false })
      const postmaster = Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0])
      // Stopped from outside, as a crash or an operator's restart would.
      process.kill(postmaster, 'SIGQUIT')
      for (let i = 0; i < 200 && alive(postmaster); i++) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(alive(postmaster)).toBe(false)
      const outcome = await Promise.race([embedded.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(() => resolve('hung'), 20_000))])
      expect(outcome).toBe('stopped')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
