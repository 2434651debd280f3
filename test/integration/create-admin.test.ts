import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { buildApp } from '../../src/app.ts'
import { createTestDatabase, testConfig, type TestDatabase } from '../helper.ts'

const run = promisify(execFile)
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db.drop())

const createAdmin = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/create-admin.ts', ...args], {
    env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: db.url, BCRYPT_COST: '4' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, out: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, out: error.stdout + error.stderr }),
  )

describe('npm run create-admin', () => {
  it('refuses a weak password and a missing argument', async () => {
    expect(await createAdmin('--email', 'root@example.test', '--password', 'admin123')).toMatchObject({ code: 2, out: expect.stringMatching(/too weak/) })
    expect(await createAdmin('--email', 'root@example.test')).toMatchObject({ code: 2, out: expect.stringMatching(/usage/) })
  })

  it('creates an admin who can log in, and never a second one with the same email', async () => {
    const created = await createAdmin('--email', 'Root@Example.test', '--password', 'a long admin passphrase 2026')
    expect(created).toMatchObject({ code: 0, out: expect.stringMatching(/Admin created: root@example\.test/) })
    expect(await createAdmin('--email', 'root@example.test', '--password', 'another long passphrase 1')).toMatchObject({ code: 1, out: expect.stringMatching(/already exists/) })

    const app = await buildApp({ ...testConfig(), databaseUrl: db.url }, { logger: false })
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'root@example.test', password: 'a long admin passphrase 2026' } })
      expect(res.statusCode).toBe(200)
      const claims = JSON.parse(Buffer.from(res.json().accessToken.split('.')[1], 'base64url').toString())
      expect(claims.role).toBe('admin')
    } finally {
      await app.close()
    }
  })
})
