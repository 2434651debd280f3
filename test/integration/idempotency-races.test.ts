import { Type } from 'typebox'
import { problems } from '../../src/common/schemas.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { atOnce } from '../support/races.ts'

// Races repeated: one lost once in a while must fail a round, not flake now and then.
const ROUNDS = 50
const AT_ONCE = 4

let ctx: TestContext
/** How many times the handler ran, per key: the thing Idempotency-Key promises is at most once. */
const runs = new Map<string, number>()

beforeAll(async () => {
  ctx = await buildTestApp({}, { ready: false })
  ctx.app.post(
    '/test/idempotent',
    {
      config: { idempotent: true },
      schema: {
        body: Type.Object({ value: Type.String() }, { additionalProperties: false }),
        response: { 201: Type.Object({ value: Type.String(), run: Type.Integer() }), ...problems(400) },
      },
    },
    async (request, reply) => {
      const key = String(request.headers['idempotency-key'])
      const run = (runs.get(key) ?? 0) + 1
      runs.set(key, run)
      // Work that reaches the database, as real handlers do, so that the others interleave.
      await ctx.app.prisma.$queryRaw`SELECT 1`
      return reply.code(201).send({ value: (request.body as { value: string }).value, run })
    },
  )
  await ctx.app.ready()
})
afterAll(() => ctx.close())

const send = (key: string, value = 'v') =>
  ctx.app.inject({ method: 'POST', url: '/test/idempotent', headers: { 'idempotency-key': key }, payload: { value } })

/** One request ran; every other one was told it runs (409) or got its stored answer. */
function expectOneRun(key: string, answers: Awaited<ReturnType<typeof send>>[]) {
  expect(runs.get(key)).toBe(1)
  const fresh = answers.filter((a) => a.statusCode === 201 && a.headers['idempotency-replayed'] === undefined)
  expect(fresh).toHaveLength(1)
  for (const other of answers.filter((a) => a !== fresh[0])) {
    if (other.statusCode === 409) expect(other.json().code).toBe('idempotency_request_in_progress')
    else expect([other.statusCode, other.headers['idempotency-replayed'], other.json()]).toEqual([201, 'true', fresh[0]!.json()])
  }
}

describe('Idempotency-Key under concurrency', () => {
  it(`${AT_ONCE} requests with one new key at once, ${ROUNDS} rounds: the handler runs once`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `new-${round}`
      expectOneRun(key, await atOnce(AT_ONCE, () => send(key)))
      // Later retries get the stored answer.
      const retry = await send(key)
      expect([retry.statusCode, retry.headers['idempotency-replayed'], retry.json().run]).toEqual([201, 'true', 1])
    }
  })

  it(`${AT_ONCE} requests at once with an expired key, ${ROUNDS} rounds: one takes it over and runs once`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `expired-${round}`
      await ctx.client.prisma.idempotencyRecord.create({
        data: {
          scope: 'ip:127.0.0.1',
          key,
          requestHash: 'an older request',
          status: 'done',
          responseStatus: 201,
          responseBody: { value: 'old', run: 0 },
          expiresAt: new Date(Date.now() - 1000),
        },
      })
      expectOneRun(key, await atOnce(AT_ONCE, () => send(key, 'new')))
      const record = await ctx.client.prisma.idempotencyRecord.findUniqueOrThrow({ where: { scope_key: { scope: 'ip:127.0.0.1', key } } })
      expect(record).toMatchObject({ status: 'done', responseBody: { value: 'new', run: 1 } })
      expect(record.expiresAt.getTime()).toBeGreaterThan(Date.now())
    }
  })

  it('one key with different bodies at once: one runs, the others are told the key is taken', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `bodies-${round}`
      const answers = await atOnce(AT_ONCE, (i) => send(key, `body-${i}`))
      expect(runs.get(key)).toBe(1)
      const codes = answers.filter((a) => a.statusCode !== 201).map((a) => a.json<{ code: string }>().code)
      expect(codes).toHaveLength(AT_ONCE - 1)
      for (const code of codes) expect(['idempotency_key_reused', 'idempotency_request_in_progress']).toContain(code)
    }
  })
})
