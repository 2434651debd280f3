import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from '../helper.ts'
import { STRONG_PASSWORD, bearer } from '../support/auth.ts'
import { everyCaller, readContract, resolveIn, type Contract, type ContractOperation as Operation, type ContractSchema as Schema } from '../support/contract.ts'
import { twoCustomers } from '../support/customers.ts'

let ctx: TestContext
let close: () => Promise<void>
let contract: Contract
let resolve: (schema: Schema) => Schema
let tokens: (string | null)[]
const SAMPLE_ID = '0b8f2a6e-3c1d-4e5f-8a9b-0c1d2e3f4a5b'
const NUL = 'a\u0000b'

beforeAll(async () => {
  const callers = await everyCaller()
  ;({ ctx, close } = callers)
  tokens = [null, callers.customer, callers.operator, callers.admin]
  contract = await readContract()
  resolve = resolveIn(contract)
})
afterAll(() => close())

const isType = (schema: Schema, type: string) => [schema.type].flat().includes(type)

/** Every place a string can stand in a body of this schema, as [JSON pointer, body holding NUL there]. */
function stringLeaves(schema: Schema, path: string[] = [], depth = 0): [string, unknown][] {
  const resolved = resolve(schema)
  if (depth > 6) return []
  const branches = resolved.anyOf ?? resolved.oneOf ?? resolved.allOf
  if (branches) return branches.flatMap((branch) => stringLeaves(branch, path, depth + 1)).slice(0, 40)
  const build = (value: unknown): unknown => {
    let out = value
    for (let i = path.length - 1; i >= 0; i--) out = path[i] === '0' ? [out] : { [path[i]!]: out }
    return out
  }
  if (isType(resolved, 'string')) return [[`#/${path.join('/')}`, build(NUL)]]
  if (isType(resolved, 'array') && resolved.items) return stringLeaves(resolved.items, [...path, '0'], depth + 1)
  if (resolved.properties) return Object.entries(resolved.properties).flatMap(([name, property]) => stringLeaves(property, [...path, name], depth + 1))
  return []
}

const fill = (template: string, bad?: string) => template.replace(/\{([^}]+)\}/g, (_, name: string) => (name === bad ? 'a%00b' : SAMPLE_ID))

function operations(): [string, string, Operation, string][] {
  return Object.entries(contract.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => [method.toUpperCase(), fill(path), operation, path] as [string, string, Operation, string]),
  )
}

/**
 * The first caller the route lets past authentication and roles (the check under test comes after
 * those). Probed with a NUL in the query, so that no handler runs (a probe must not log out).
 */
async function callerFor(method: string, url: string): Promise<string | null | undefined> {
  for (const token of tokens) {
    const answer = await ctx.app.inject({ method: method as 'GET', url: `${url}?probe=%00`, headers: token ? bearer(token) : {} })
    if (answer.statusCode !== 401 && answer.statusCode !== 403) return token
  }
  return undefined
}

describe('a NUL (or another control character) in any string of any request', () => {
  it('is refused at validation with a pointer, on every operation of the contract, never a 500', async () => {
    let checked = 0
    for (const [method, url, operation, template] of operations()) {
      const token = await callerFor(method, url)
      if (token === undefined) continue // an API-key route: authentication comes first
      const headers = token ? bearer(token) : {}
      const json = operation.requestBody?.content['application/json']?.schema
      const cases: { where: string; pointer: string; send: () => Promise<{ statusCode: number; json: () => { code?: string; errors?: unknown } }> }[] = []
      for (const [pointer, body] of json ? stringLeaves(json) : []) {
        cases.push({ where: 'body', pointer, send: () => ctx.app.inject({ method: method as 'POST', url, headers, payload: body as object }) })
      }
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query' && isType(resolve(parameter.schema), 'string')) {
          cases.push({ where: 'query', pointer: `#/${parameter.name}`, send: () => ctx.app.inject({ method: method as 'GET', url: `${url}?${parameter.name}=a%00b`, headers }) })
        }
        if (parameter.in === 'path') {
          const bad = fill(template, parameter.name)
          cases.push({ where: 'path', pointer: `#/${parameter.name}`, send: () => ctx.app.inject({ method: method as 'GET', url: bad, headers }) })
        }
      }
      for (const { where, pointer, send } of cases) {
        const answer = await send()
        const problem = answer.json()
        expect([method, url, where, pointer, answer.statusCode, problem.code]).toEqual([method, url, where, pointer, 400, 'validation_failed'])
        expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: where, pointer })]))
        checked++
      }
    }
    expect(checked).toBeGreaterThan(200)
  })

  it('is refused in member names, for DEL, C1 controls and lone surrogates too; tab and line breaks pass', async () => {
    const [, customer] = tokens
    const patch = (payload: string) =>
      ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...bearer(customer!), 'content-type': 'application/json' }, payload })
    for (const bad of ['"a\\u007fb"', '"a\\u0085b"', '"a\\ud800b"', '"a\\u001bb"']) {
      const answer = await patch(`{"givenNames": ${bad}}`)
      expect([bad, answer.statusCode, answer.json().errors?.[0]?.pointer]).toEqual([bad, 400, '#/givenNames'])
    }
    expect((await patch('{"a\\u0000": 1}')).json().errors[0]).toMatchObject({ pointer: '#/a\u0000' })
    expect((await patch('{"givenNames": "Иван\\tПетрович"}')).statusCode).toBe(200)
  })
})

describe('validation answers', () => {
  it('list at most 20 errors and count the rest: 60,000 unknown members do not make a 5 MB answer', async () => {
    const body = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`m${i}`, 1]))
    const answer = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: body })
    expect(answer.statusCode).toBe(400)
    const problem = answer.json()
    expect(problem.errors).toHaveLength(20)
    expect(problem.errorCount).toBe(60_002)
    expect(answer.body.length).toBeLessThan(5000)
  })
})

describe('HTTP details for frontends', () => {
  it('a known path asked with another method is 405 with Allow', async () => {
    const answer = await ctx.app.inject({ method: 'PUT', url: '/v1/auth/login' })
    expect(answer.statusCode).toBe(405)
    expect(answer.headers.allow).toBe('POST')
    expect(answer.json()).toMatchObject({ code: 'method_not_allowed' })
    const account = await ctx.app.inject({ method: 'POST', url: `/v1/accounts/${SAMPLE_ID}` })
    expect(account.headers.allow).toBe('GET, HEAD, PATCH, DELETE')
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/no-such-thing' })).json().code).toBe('route_not_found')
  })

  it('URLs the router refuses (a broken percent-encoding, a 300-character id) are problems too', async () => {
    const broken = await ctx.app.inject({ method: 'GET', url: '/v1/accounts/%E0%A4%A' })
    expect([broken.statusCode, broken.json().code, broken.headers['x-request-id']]).toEqual([400, 'malformed_url', expect.any(String)])
    const long = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${'x'.repeat(300)}` })
    expect([long.statusCode, long.json().code]).toEqual([414, 'uri_too_long'])
    expect(long.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  })

  it('a DELETE with Content-Type: application/json and no body is accepted', async () => {
    const [, customer] = tokens
    const answer = await ctx.app.inject({ method: 'DELETE', url: `/v1/accounts/${SAMPLE_ID}`, headers: { ...bearer(customer!), 'content-type': 'application/json' } })
    expect(answer.json().code).toBe('account_not_found')
    const post = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' } })
    expect(post.json().code).toBe('malformed_body')
  })

  it('answers with personal data or tokens are never cached; public lists keep their own caching', async () => {
    const [, customer] = tokens
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(customer!) })
    expect(me.headers['cache-control']).toBe('no-store')
    const tokensAnswer = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'ivan@example.test', password: STRONG_PASSWORD } })
    expect(tokensAnswer.headers['cache-control']).toBe('no-store')
    const problem = await ctx.app.inject({ method: 'GET', url: '/v1/me' })
    expect(problem.headers['cache-control']).toBe('no-store')
  })

  it('CORS lets browsers read Idempotency-Replayed, Retry-After and Allow', async () => {
    const local = await twoCustomers({ env: { CORS_ORIGINS: 'https://lk.example.test' } })
    try {
      const answer = await local.ctx.app.inject({ method: 'GET', url: '/v1/suppliers', headers: { origin: 'https://lk.example.test' } })
      expect(answer.headers['access-control-expose-headers']).toEqual(expect.stringContaining('Idempotency-Replayed'))
      expect(answer.headers['access-control-expose-headers']).toEqual(expect.stringContaining('Allow'))
    } finally {
      await local.close()
    }
  })

  it('headers too large (431) is a problem with a code and a request id, like every other error', async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = ctx.app.server.address() as AddressInfo
    const answer = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolveAnswer, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/v1/suppliers', headers: { 'x-big': 'x'.repeat(40_000) } }, (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => (body += chunk.toString()))
        response.on('end', () => resolveAnswer({ status: response.statusCode!, headers: response.headers, body }))
      })
      request.on('error', reject)
      request.end()
    })
    expect(answer.status).toBe(431)
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(answer.headers['x-request-id']).toEqual(expect.any(String))
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431, code: 'headers_too_large', requestId: answer.headers['x-request-id'] })
  })
})
