import { renderContract } from '../../src/contract.ts'

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] }

/** Every property name reachable from a schema, following $refs into components. */
function propertyNames(schema: Schema, components: Record<string, Schema>, seen = new Set<string>()): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '')
    if (seen.has(name)) return []
    seen.add(name)
    return propertyNames(components[name]!, components, seen)
  }
  const names = Object.keys(schema.properties ?? {})
  const children = [...Object.values(schema.properties ?? {}), schema.items, ...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]
  return [...names, ...children.filter((c): c is Schema => c !== undefined).flatMap((c) => propertyNames(c, components, seen))]
}

describe('responses never carry secrets', () => {
  it('no response schema in the contract has a member for a password, hash, pepper or secret', async () => {
    const document = JSON.parse(await renderContract())
    const offenders: string[] = []
    const walked = new Set<string>()
    // The two deliberate exceptions: a flag, and the one-time temporary password shown to staff.
    const allowed = new Set(['mustChangePassword', 'temporaryPassword', 'accessToken', 'refreshToken', 'tokenType'])
    // A webhook endpoint's signing secret, shown once: when it is made and when it is replaced.
    const shownOnce = new Set(['post /v1/admin/webhook-endpoints 201: secret', 'post /v1/admin/webhook-endpoints/{endpointId}/rotate-secret 200: secret'])
    for (const [path, methods] of Object.entries<Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const media of Object.values(response.content ?? {})) {
            for (const name of propertyNames(media.schema, document.components.schemas)) {
              walked.add(name)
              const where = `${method} ${path} ${status}: ${name}`
              if (/password|hash|pepper|secret|token/i.test(name) && !allowed.has(name) && !shownOnce.has(where)) offenders.push(where)
            }
          }
        }
      }
    }
    // The walk reaches nested and referenced members (else this test could not fail).
    expect([...walked]).toEqual(expect.arrayContaining(['refreshToken', 'mustChangePassword', 'pointer', 'textVersion']))
    expect(offenders).toEqual([])
  })
})
