import type { TestContext } from '../helper.ts'
import { bearer } from '../support/auth.ts'
import { everyCaller, readContract, resolveIn, type Contract, type ContractSchema as Schema } from '../support/contract.ts'

// The contract fuzz, kept in the suite: every operation, hostile values in every field of the
// body and query and in the path, with and without tokens. Whatever comes back is never a 5xx,
// and every error is a problem+json with a code.
let ctx: TestContext
let close: () => Promise<void>
let contract: Contract
let resolve: (schema: Schema) => Schema
let tokens: { customer: string; operator: string; admin: string }

beforeAll(async () => {
  const callers = await everyCaller()
  ;({ ctx, close } = callers)
  tokens = { customer: callers.customer, operator: callers.operator, admin: callers.admin }
  contract = await readContract()
  resolve = resolveIn(contract)
})
afterAll(() => close())

const HOSTILE: unknown[] = [null, -1, 1e308, true, [], {}, 'x'.repeat(5000), "' OR 1=1 --", '<script>alert(1)</script>', '2026-13-45', '../../etc/passwd', '１２３', '\uFFFF\u202E', { $gt: '' }]
const HOSTILE_QUERY = ['-1', '1e308', 'x'.repeat(3000), "' OR 1=1 --", '2026-13-45', '%ZZ', 'null', '[]', '0x10', '９']
const HOSTILE_PATH = ['x'.repeat(300), '..%2F..%2Fetc', '-1', "'%20OR%201=1", '00000000-0000-0000-0000-000000000000', '%E2%80%AE']
const SAMPLE_ID = '0b8f2a6e-3c1d-4e5f-8a9b-0c1d2e3f4a5b'


/** Bodies with one hostile value in one member each (top level and one level down), and hostile whole bodies. */
function hostileBodies(schema: Schema): unknown[] {
  const resolved = resolve(schema)
  const branch = resolved.anyOf?.[0] ?? resolved.oneOf?.[0]
  const object = branch ? resolve(branch) : resolved
  const bodies: unknown[] = [[], 'text', 42, { unknownMember: 1 }, JSON.parse('{"__proto__": {"admin": true}}')]
  for (const [name, property] of Object.entries(object.properties ?? {})) {
    for (const value of HOSTILE.slice(0, 8)) bodies.push({ [name]: value })
    const inner = resolve(property)
    for (const nested of Object.keys(inner.properties ?? {}).slice(0, 3)) bodies.push({ [name]: { [nested]: HOSTILE[6] } })
    if (inner.items) bodies.push({ [name]: Array.from({ length: 1001 }, () => ({})) })
  }
  return bodies
}

const problemLike = (answer: { statusCode: number; headers: Record<string, unknown>; body: string }) =>
  answer.statusCode < 400 || (String(answer.headers['content-type']).startsWith('application/problem+json') && /"code":"[a-z][a-z0-9_]*"/.test(answer.body))

// A request that ends the caller's session would blind the rest: those go last.
const LAST = /\/auth\/logout|\/me$|password\/change|sessions/

describe('the contract fuzz', () => {
  it('never answers 5xx, and every error is a problem with a code, on every operation', async () => {
    const operations = Object.entries(contract.paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })))
      .sort((a, b) => Number(LAST.test(a.path)) - Number(LAST.test(b.path)))
    const failures: string[] = []
    let sent = 0
    for (const { method, path, operation } of operations) {
      const url = path.replace(/\{[^}]+\}/g, SAMPLE_ID)
      const json = operation.requestBody?.content['application/json']?.schema
      const requests: { url: string; payload?: unknown }[] = [{ url }]
      for (const bad of HOSTILE_PATH) if (path.includes('{')) requests.push({ url: path.replace(/\{[^}]+\}/, bad).replace(/\{[^}]+\}/g, SAMPLE_ID) })
      for (const parameter of (operation.parameters ?? []).filter((p) => p.in === 'query')) {
        for (const bad of HOSTILE_QUERY) requests.push({ url: `${url}?${parameter.name}=${encodeURIComponent(bad)}` })
      }
      if (json) for (const payload of hostileBodies(json)) requests.push({ url, payload })
      for (const token of [null, tokens.customer, tokens.operator, tokens.admin]) {
        for (const request of requests) {
          const headers: Record<string, string> = { ...(token ? bearer(token) : {}), 'x-api-key': 'abk_not_a_real_key' }
          const answer = await ctx.app.inject({
            method: method as 'GET',
            url: request.url,
            headers: request.payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
            ...(request.payload === undefined ? {} : { payload: JSON.stringify(request.payload) }),
          })
          sent++
          if (answer.statusCode >= 500 || !problemLike(answer)) failures.push(`${method} ${request.url.slice(0, 120)} ${JSON.stringify(request.payload)?.slice(0, 80)} → ${answer.statusCode} ${answer.body.slice(0, 160)}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(5000)
  }, 600_000)
})
