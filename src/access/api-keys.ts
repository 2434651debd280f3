import { createHash, randomBytes } from 'node:crypto'

/** What a key may do: look accounts up (what a bank app shows before paying), report payments. */
export const API_KEY_SCOPES = ['accounts:lookup', 'payments:write'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

/** The caller of an aggregator route: a key of one supplier. */
export interface ApiClient {
  keyId: string
  supplierId: string
  client: string
  scopes: ApiKeyScope[]
}

const KEY = /^abk_[A-Za-z0-9_-]{43}$/

/** A new key (`abk_` + 256 random bits, base64url), shown once; the rest is what is stored. */
export function newApiKey(): { key: string; hash: string; prefix: string } {
  const key = `abk_${randomBytes(32).toString('base64url')}`
  return { key, hash: apiKeyHash(key), prefix: key.slice(0, 12) }
}

export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** Whether a header value can be a key at all (checked before it costs a query). */
export function looksLikeApiKey(value: unknown): value is string {
  return typeof value === 'string' && KEY.test(value)
}
