import { solveChallenge, type Challenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import type { TestContext } from '../helper.ts'

/** What the ALTCHA widget does in a browser: fetch a challenge, find the counter, send the payload as base64. */
export async function solveCaptcha(ctx: TestContext): Promise<string> {
  const answer = await ctx.app.inject({ method: 'GET', url: '/v1/auth/captcha' })
  const { challenge } = answer.json<{ challenge: Challenge }>()
  const solution = await solveChallenge({ challenge, deriveKey })
  if (!solution) throw new Error('captcha not solved')
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
}
