// npm run bench:auth — does response time tell whether an account exists? Mean and median times of
// register, login and forgot-password for a registered vs. an unknown email, at the production
// bcrypt cost, on a scratch database (migrated, seeded, dropped after). Figures only; no verdict.
import { performance } from 'node:perf_hooks'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { withDemoDatabase } from './demo-database.ts'

const TRIES = Number(process.env.BENCH_TRIES ?? 30)
const PASSWORD = 'тихий огонёк над рекою 42'

const config = loadConfig({
  ...process.env,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '1000000',
  AUTH_RATE_LIMIT_MAX: '1000000',
  LOGIN_ATTEMPTS_PER_LOGIN: '1000000',
  SEED_DEMO_DATA: 'false',
})

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length
  const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length)
  return { mean, median: sorted[Math.floor(sorted.length / 2)]!, sd }
}

await withDemoDatabase(
  config,
  async (db) => (await db.prisma.supplier.findUniqueOrThrow({ where: { code: 'sibteplo' } })).id,
  async (url, supplierId) => {
    const app = await buildApp({ ...config, databaseUrl: url }, { logger: false })
    await app.ready()
    const registration = (email: string) => ({
      supplierId,
      accountNumber: '5400012345',
      surname: 'Иванов',
      proof: 'K7M2QX9P',
      email,
      password: PASSWORD,
      consent: { personalData: true, textVersion: config.auth.consentTextVersion },
    })
    await app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration('known@bench.test') })

    let fresh = 0
    const cases: [string, () => Promise<number>, () => Promise<number>][] = [
      [
        'register',
        async () => (await app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration('known@bench.test') })).statusCode,
        async () => (await app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration(`new${fresh++}@bench.test`) })).statusCode,
      ],
      [
        'login (wrong password)',
        async () => (await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'known@bench.test', password: 'wrong password!' } })).statusCode,
        async () => (await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'nobody@bench.test', password: 'wrong password!' } })).statusCode,
      ],
      [
        'forgot password',
        async () => (await app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: 'known@bench.test' } })).statusCode,
        async () => (await app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: 'nobody@bench.test' } })).statusCode,
      ],
    ]

    console.log(`node ${process.version}, bcrypt cost ${config.auth.bcryptCost}, ${TRIES} tries per case, interleaved\n`)
    console.log('route'.padEnd(24), 'status'.padEnd(9), 'registered ms (mean/median/sd)'.padEnd(32), 'unknown ms (mean/median/sd)'.padEnd(30), 'gap of means')
    for (const [name, known, unknown] of cases) {
      const times: { known: number[]; unknown: number[] } = { known: [], unknown: [] }
      const statuses = new Set<string>()
      await known()
      await unknown() // warm-up
      for (let i = 0; i < TRIES; i++) {
        for (const [which, call] of [['known', known], ['unknown', unknown]] as const) {
          const start = performance.now()
          const status = await call()
          times[which].push(performance.now() - start)
          statuses.add(`${which}:${status}`)
          // Untimed: let work deferred past the response finish, as it would between real requests.
          await app.mail.drain()
        }
      }
      const k = stats(times.known)
      const u = stats(times.unknown)
      const fmt = (s: ReturnType<typeof stats>) => `${s.mean.toFixed(1)} / ${s.median.toFixed(1)} / ${s.sd.toFixed(1)}`
      const gap = ((k.mean - u.mean) / u.mean) * 100
      const codes = [...new Set([...statuses].map((s) => s.split(':')[1]))].join(',')
      console.log(name.padEnd(24), codes.padEnd(9), fmt(k).padEnd(32), fmt(u).padEnd(30), `${gap >= 0 ? '+' : ''}${gap.toFixed(1)} %`)
    }
    await app.close()
  },
  1,
)
