/**
 * Characters no field of this API means and PostgreSQL's text refuses or mangles: C0 controls
 * except tab, line feed and carriage return; DEL and the C1 controls; lone UTF-16 surrogates
 * (JSON's "\ud800" parses into one, and UTF-8 cannot encode it).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDFFF]/u

export function hasForbiddenCharacters(text: string): boolean {
  return FORBIDDEN.test(text)
}

// Parsed JSON only: a stream or a buffer handed over by a route's own parser is not walked.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value) as object | null
  // The query parser's objects have a prototype of their own whose prototype is null.
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')

/**
 * JSON pointers (`#/a/0/b`) to every string, or member name, that holds a forbidden character,
 * at most `limit` of them. Walks iteratively: a deeply nested body cannot exhaust the stack.
 */
export function forbiddenCharacterPointers(value: unknown, limit = 20): string[] {
  const found: string[] = []
  const stack: [unknown, string][] = [[value, '']]
  while (stack.length > 0 && found.length < limit) {
    const [current, path] = stack.pop()!
    if (typeof current === 'string') {
      if (FORBIDDEN.test(current)) found.push(`#${path}`)
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], `${path}/${i}`])
    } else if (isPlainObject(current)) {
      const keys = Object.keys(current)
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        const pointer = `${path}/${escapePointer(key)}`
        if (FORBIDDEN.test(key)) found.push(`#${pointer}`)
        else stack.push([current[key], pointer])
      }
    }
  }
  return found.slice(0, limit)
}
