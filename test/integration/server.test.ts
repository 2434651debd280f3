import { spawn, type ChildProcess } from 'node:child_process'
import { createTestDatabase, type TestDatabase } from '../helper.ts'
import { freePort } from '../setup/test-server.ts'
import { startTcpProxy } from '../support/tcp-proxy.ts'

// The real entry point, as `npm start` runs it, in a child process.
function startServer(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('timed out')
}

describe('src/server.ts', () => {
  it('refuses to start on bad configuration, naming the variable', async () => {
    const server = startServer({ PORT: 'abc', DATABASE_URL: 'postgresql://127.0.0.1:1/x' })
    expect(await server.exited).toBe(1)
    expect(server.output()).toMatch(/Invalid configuration:\n\s+- PORT: must be integer \(got "abc"\)/)
  })

  describe('on a database', () => {
    let db: TestDatabase
    beforeAll(async () => {
      db = await createTestDatabase({ empty: true })
    })
    afterAll(() => db.drop())

    it('migrates and seeds an empty database, serves over HTTP, and stops cleanly on SIGTERM', async () => {
      const port = await freePort()
      const server = startServer({ DATABASE_URL: db.url, PORT: String(port), SEED_DEMO_DATA: 'true' })
      try {
        // Generous: migrations and a cold start on a busy machine are slow, never wrong.
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 150_000)
        const ready = await fetch(`http://127.0.0.1:${port}/ready`)
        expect(ready.status).toBe(200)
        const suppliers = (await (await fetch(`http://127.0.0.1:${port}/v1/suppliers`)).json()) as { items: unknown[] }
        expect(suppliers.items).toHaveLength(3)
        expect(server.output()).toMatch(/applied migrations: \d+_init/)
      } finally {
        server.child.kill('SIGTERM')
      }
      expect(await server.exited).toBe(0)
      expect(server.output()).toMatch(/"signal":"SIGTERM".*stopping/)
      // npm start runs the worker too: it started with the API and stopped with it.
      expect(server.output()).toMatch(/worker started/)
    }, 240_000)
    it('after PostgreSQL restarted under it, answers 503 while it is down, serves again, and still stops at once on SIGTERM', async () => {
      const target = new URL(db.url)
      const proxy = await startTcpProxy(target.hostname, Number(target.port))
      const url = new URL(db.url)
      url.hostname = '127.0.0.1'
      url.port = String(proxy.port)
      const port = await freePort()
      const server = startServer({ DATABASE_URL: url.toString(), PORT: String(port), SHUTDOWN_GRACE_MS: '60000' })
      try {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 150_000)
        // Keep-alive connections open across the restart, as a load balancer keeps them.
        expect((await fetch(`http://127.0.0.1:${port}/v1/suppliers`)).status).toBe(200)
        proxy.cut()
        const during = await fetch(`http://127.0.0.1:${port}/v1/suppliers`)
        expect([during.status, ((await during.json()) as { code: string }).code]).toEqual([503, 'database_unavailable'])
        // Down long enough for the pool, the job queue and its LISTEN connection to notice.
        await new Promise((resolve) => setTimeout(resolve, 3000))
        proxy.restore()
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/v1/suppliers`)).ok, 60_000)
      } finally {
        server.child.kill('SIGTERM')
        await server.exited
        await proxy.close()
      }
      // A hang runs into the grace and close-with-grace exits 1: exit 0 is the proof, with no clock to race.
      expect(await server.exited).toBe(0)
    }, 300_000)
  })
})
