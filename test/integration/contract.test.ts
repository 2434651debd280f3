import { readFile } from 'node:fs/promises'
import { CONTRACT_FILE, renderContract } from '../../src/contract.ts'

interface Operation {
  operationId?: string
  security?: unknown[]
  tags?: string[]
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>
}

let generated: string
let document: { components: { schemas: Record<string, unknown> }; paths: Record<string, Record<string, Operation>> }

beforeAll(async () => {
  generated = await renderContract()
  document = JSON.parse(generated)
})

describe('openapi/openapi.json', () => {
  it('is what the code generates (run `npm run openapi` and commit when this fails)', async () => {
    const committed = await readFile(CONTRACT_FILE, 'utf8')
    expect(committed).toBe(generated)
  })

  it('names every component schema; none is an anonymous def-N', () => {
    const names = Object.keys(document.components.schemas)
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z0-9]+$/)
    expect(generated).not.toMatch(/def-\d+/)
  })

  it('gives every operation an id, tags, explicit security, and problem+json errors', () => {
    const ids = new Set<string>()
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`
        expect([where, operation.operationId]).toEqual([where, expect.stringMatching(/^[a-z][A-Za-z]+$/)])
        expect(ids.has(operation.operationId!)).toBe(false)
        ids.add(operation.operationId!)
        expect([where, Array.isArray(operation.security)]).toEqual([where, true])
        expect([where, operation.tags?.length]).toEqual([where, 1])
        expect([where, Object.keys(operation.responses)]).toEqual([where, expect.arrayContaining(['500'])])
        if (!operation.tags?.includes('meta')) {
          // Every API operation is rate limited, and says so; most say more.
          expect([where, Object.keys(operation.responses)]).toEqual([where, expect.arrayContaining(['429'])])
        }
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) >= 400) expect([where, status, Object.keys(response.content ?? {})]).toEqual([where, status, ['application/problem+json']])
          // Every answer carries X-Request-Id; throttled and shed ones say when to come back.
          const headers = Object.keys(response.headers ?? {})
          expect([where, status, headers]).toEqual([where, status, expect.arrayContaining(['x-request-id', ...(['429', '503'].includes(status) ? ['retry-after'] : [])])])
        }
      }
    }
  })
})
