import type { Config } from '../config.ts'

/** Checks a captcha token from the client; asked for only after repeated failed logins. */
export interface CaptchaVerifier {
  readonly enabled: boolean
  verify(token: string, ip: string): Promise<boolean>
}

const disabled: CaptchaVerifier = { enabled: false, verify: async () => true }

/**
 * Yandex SmartCaptcha server-side validation: GET <url>?secret=&token=&ip= → {"status":"ok"}.
 * Fails closed: an unreachable or slow provider means "not verified", never "passed".
 */
function yandexSmartCaptcha(secret: string, verifyUrl: string, onError: (error: unknown) => void): CaptchaVerifier {
  return {
    enabled: true,
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

export function createCaptchaVerifier(captcha: Config['auth']['captcha'], onError: (error: unknown) => void): CaptchaVerifier {
  if (captcha.provider === 'yandex' && captcha.secret) return yandexSmartCaptcha(captcha.secret, captcha.verifyUrl, onError)
  return disabled
}
