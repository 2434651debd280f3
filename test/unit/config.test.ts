import { readFileSync } from 'node:fs'
import { ConfigError, EnvSchema, loadConfig } from '../../src/config.ts'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('runs with no configuration at all (embedded database, port 3000)', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ env: 'development', port: 3000, host: '127.0.0.1', databaseUrl: undefined, seedDemoData: true })
    expect(config.embeddedPg).toEqual({ dir: '.data/postgres', port: 54329 })
  })

  it('names each bad variable, with the value it got', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://db/x', RATE_LIMIT_MAX: '0' })
    expect(problems).toHaveLength(4)
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: .*"abc"/),
        expect.stringMatching(/^LOG_LEVEL: .*"loud"/),
        expect.stringMatching(/^DATABASE_URL: .*"mysql:\/\/db\/x"/),
        expect.stringMatching(/^RATE_LIMIT_MAX: /),
      ]),
    )
  })

  it('rejects out-of-range and non-integer numbers instead of truncating them', () => {
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/^PORT/)
    expect(problemsOf({ PORT: '3000.5' })[0]).toMatch(/^PORT/)
  })

  it('reads booleans from the usual words only', () => {
    expect(loadConfig({ TRUST_PROXY: 'yes' }).trustProxy).toBe(true)
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false)
    expect(problemsOf({ TRUST_PROXY: 'maybe' })[0]).toMatch(/^TRUST_PROXY/)
  })

  it('requires its own database and secrets in production, and seeds no demo data there', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'DATABASE_URL: is required when NODE_ENV is production',
      'JWT_SECRET: is required when NODE_ENV is production',
      'PASSWORD_PEPPER: is required when NODE_ENV is production',
      'DATA_ENCRYPTION_KEY: is required when NODE_ENV is production',
    ])
    const secrets = { JWT_SECRET: 'j'.repeat(32), PASSWORD_PEPPER: 'p'.repeat(32), DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }
    const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/abonent', ...secrets })
    expect(config.seedDemoData).toBe(false)
    expect(config.auth).toMatchObject({ jwtSecret: 'j'.repeat(32), passwordPepper: 'p'.repeat(32) })
  })

  it('refuses webhooks to http and private addresses in production', () => {
    const secrets = { JWT_SECRET: 'j'.repeat(32), PASSWORD_PEPPER: 'p'.repeat(32), DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }
    expect(problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/abonent', ...secrets, WEBHOOK_ALLOW_PRIVATE: 'true' })[0]).toMatch(/^WEBHOOK_ALLOW_PRIVATE/)
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'true' }).webhooks.allowPrivate).toBe(true)
    expect(loadConfig({}).webhooks).toMatchObject({ allowPrivate: false, timeoutMs: 15_000, rotationHours: 24, disableAfterDays: 5, retentionDays: 30 })
  })

  it('refuses secrets too short to be secret', () => {
    expect(problemsOf({ JWT_SECRET: 'short' })[0]).toMatch(/^JWT_SECRET: must not have fewer than 32 characters/)
  })

  it('needs a captcha secret when a captcha provider is chosen', () => {
    expect(problemsOf({ CAPTCHA_PROVIDER: 'yandex' })).toEqual(['CAPTCHA_SECRET: is required when CAPTCHA_PROVIDER is yandex'])
  })

  it('splits CORS_ORIGINS into a clean list', () => {
    expect(loadConfig({ CORS_ORIGINS: ' https://lk.example.ru, ,https://m.example.ru ' }).corsOrigins).toEqual([
      'https://lk.example.ru',
      'https://m.example.ru',
    ])
  })
})

describe('.env.example', () => {
  it('lists exactly the variables the configuration reads', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]).sort()
    expect(listed).toEqual(Object.keys(EnvSchema.properties).sort())
  })
})
