import { randomBytes } from 'node:crypto'
import type { SecretBox } from '../common/secret-box.ts'
import { signStandardWebhook, type SignedHeaders } from '../common/standard-webhooks.ts'

/** A new signing secret: `whsec_` and 32 random bytes in base64 (Standard Webhooks: 24..64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/** The authenticated context of an endpoint's sealed secrets: a secret copied to another endpoint does not open. */
export const secretContext = (endpointId: string) => `webhook_endpoint:${endpointId}`

export interface SealedSecrets {
  id: string
  secretSealed: string
  previousSecretSealed: string | null
  previousSecretUntil: Date | null
}

/** The secrets that sign now: the current one, and during a rotation the previous one too. */
export function signingSecrets(box: SecretBox, endpoint: SealedSecrets, now: Date): string[] {
  const context = secretContext(endpoint.id)
  const secrets = [box.open(endpoint.secretSealed, context)]
  if (endpoint.previousSecretSealed && endpoint.previousSecretUntil && endpoint.previousSecretUntil > now) {
    secrets.push(box.open(endpoint.previousSecretSealed, context))
  }
  return secrets
}

/** Standard Webhooks headers with one `v1,` signature per secret, space-separated. */
export function signWithAll(secrets: string[], messageId: string, at: Date, body: string): SignedHeaders {
  const signed = secrets.map((secret) => signStandardWebhook(secret, messageId, at, body))
  return { ...signed[0]!, 'webhook-signature': signed.map((s) => s['webhook-signature']).join(' ') }
}

/** The `webhook-id` of an event: the same for every attempt and every endpoint, so receivers de-duplicate on it. */
export const messageId = (eventId: string) => `msg_${eventId.replace(/-/g, '')}`
