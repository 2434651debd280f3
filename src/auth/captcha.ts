import { createHmac } from 'node:crypto'
import { createChallenge, randomInt, verifySolution, type Challenge, type Payload } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import type { Config } from '../config.ts'

/** What a client shows when asked for a captcha: a proof-of-work challenge to solve, or a provider's widget. */
export type CaptchaChallenge = { provider: 'altcha'; challenge: Challenge & { signature: string } } | { provider: 'yandex' | 'none'; challenge: null }

/** Checks a captcha token from the client; asked for after repeated failures (logins, account linking). */
export interface CaptchaVerifier {
  readonly provider: 'altcha' | 'yandex' | 'none'
  readonly enabled: boolean
  challenge(): Promise<CaptchaChallenge>
  verify(token: string, ip: string): Promise<boolean>
}

/** Remembers a solved challenge until it expires; false when it was already used (a replay). */
export type MarkUsed = (id: string, expiresAt: Date) => Promise<boolean>

const disabled: CaptchaVerifier = { provider: 'none', enabled: false, challenge: async () => ({ provider: 'none', challenge: null }), verify: async () => true }

/**
 * Yandex SmartCaptcha server-side validation: GET <url>?secret=&token=&ip= → {"status":"ok"}.
 * Fails closed: an unreachable or slow provider means "not verified", never "passed".
 */
function yandexSmartCaptcha(secret: string, verifyUrl: string, onError: (error: unknown) => void): CaptchaVerifier {
  return {
    provider: 'yandex',
    enabled: true,
    challenge: async () => ({ provider: 'yandex', challenge: null }),
    async verify(token, ip) {
      const url = new URL(verifyUrl)
      url.search = new URLSearchParams({ secret, token, ip }).toString()
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
        if (!response.ok) return false
        const body = (await response.json()) as { status?: string }
        return body.status === 'ok'
      } catch (error) {
        onError(error)
        return false
      }
    },
  }
}

const ALTCHA_TTL_MS = 10 * 60_000

/**
 * ALTCHA, self-hosted proof of work (altcha-lib; no third party, no tracking, nothing for a
 * person to click through but a checkbox): the server signs a challenge whose answer costs the
 * client up to CAPTCHA_WORK hash computations, and checks the answer by its signature alone.
 * The token is the widget's payload (base64 of {challenge, solution}); each challenge is good
 * once and for ten minutes.
 */
function altcha(secret: string, work: number, markUsed: MarkUsed): CaptchaVerifier {
  // Two keys from one secret: the challenge's signature, and the signature of its answer's key.
  const key = (purpose: string) => createHmac('sha256', secret).update(`altcha:${purpose}`).digest('hex')
  const signatureSecret = key('challenge')
  const keySecret = key('derived-key')
  return {
    provider: 'altcha',
    enabled: true,
    async challenge() {
      const challenge = await createChallenge({
        algorithm: 'SHA-256',
        cost: 1,
        counter: randomInt(Math.ceil(work / 2), work),
        deriveKey,
        expiresAt: new Date(Date.now() + ALTCHA_TTL_MS),
        hmacSignatureSecret: signatureSecret,
        hmacKeySignatureSecret: keySecret,
      })
      // Signed, since a signature secret was given; the type cannot know it.
      return { provider: 'altcha', challenge: { ...challenge, signature: challenge.signature! } }
    },
    async verify(token) {
      let payload: Payload
      try {
        payload = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Payload
        if (typeof payload?.challenge?.parameters?.nonce !== 'string' || typeof payload.solution?.counter !== 'number') return false
      } catch {
        return false
      }
      const result = await verifySolution({
        challenge: payload.challenge,
        solution: payload.solution,
        deriveKey,
        hmacSignatureSecret: signatureSecret,
        hmacKeySignatureSecret: keySecret,
      }).catch(() => ({ verified: false }))
      if (!result.verified) return false
      const expiresAt = new Date((payload.challenge.parameters.expiresAt ?? 0) * 1000 || Date.now() + ALTCHA_TTL_MS)
      return markUsed(payload.challenge.parameters.nonce, expiresAt)
    },
  }
}

export function createCaptchaVerifier(
  captcha: Config['auth']['captcha'],
  markUsed: MarkUsed,
  onError: (error: unknown) => void,
): CaptchaVerifier {
  if (captcha.provider === 'yandex' && captcha.secret) return yandexSmartCaptcha(captcha.secret, captcha.verifyUrl, onError)
  if (captcha.provider === 'altcha') return altcha(captcha.secret ?? captcha.fallbackSecret, captcha.work, markUsed)
  return disabled
}
