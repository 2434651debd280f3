import { DEVELOPMENT_ADMIN, ensureDevelopmentAdmin } from '../../src/auth/development-admin.ts'
import { buildTestApp, testConfig, type TestContext } from '../helper.ts'
import { login } from '../support/auth.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await buildTestApp()
})
afterAll(() => ctx.close())

describe('the development admin of `npm start`', () => {
  it('is never made outside development, nor without the demo data', async () => {
    const lines: string[] = []
    for (const env of [{ NODE_ENV: 'test' }, { NODE_ENV: 'development', SEED_DEMO_DATA: 'false' }] as Record<string, string>[]) {
      await ensureDevelopmentAdmin({ ...testConfig(env), env: env.NODE_ENV as 'test' | 'development' }, ctx.db.url, (line) => lines.push(line))
    }
    // Production refuses development secrets at load; the function refuses the role anyway.
    await ensureDevelopmentAdmin({ ...testConfig(), env: 'production' }, ctx.db.url, (line) => lines.push(line))
    expect(lines).toEqual([])
    expect(await ctx.client.prisma.user.count({ where: { email: DEVELOPMENT_ADMIN.email } })).toBe(0)
  })

  it('in development: exists, is printed at start, and logs in as admin', async () => {
    const lines: string[] = []
    const config = { ...testConfig(), env: 'development' as const, seedDemoData: true }
    await ensureDevelopmentAdmin(config, ctx.db.url, (line) => lines.push(line))
    await ensureDevelopmentAdmin(config, ctx.db.url, (line) => lines.push(line))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toContain(`${DEVELOPMENT_ADMIN.email} / ${DEVELOPMENT_ADMIN.password}`)
    const tokens = await login(ctx, DEVELOPMENT_ADMIN.email, DEVELOPMENT_ADMIN.password)
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${tokens.accessToken}` } })
    expect(me.json()).toMatchObject({ role: 'admin', email: DEVELOPMENT_ADMIN.email })
  })
})
