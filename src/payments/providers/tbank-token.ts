import { createHash } from 'node:crypto'

/**
 * T-Bank's request and notification signature (INTEGRATIONS.md): the root-level scalar
 * parameters (not nested objects or arrays such as DATA and Receipt, not Token itself) plus
 * `Password`, sorted by name, their values concatenated (booleans as "true"/"false"), SHA-256 of
 * the UTF-8 string, as hex.
 */
export function tbankToken(params: Record<string, unknown>, password: string): string {
  const scalars: [string, string][] = [['Password', password]]
  for (const [name, value] of Object.entries(params)) {
    if (name === 'Token') continue
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') scalars.push([name, String(value)])
  }
  scalars.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return createHash('sha256').update(scalars.map(([, value]) => value).join(''), 'utf8').digest('hex')
}
