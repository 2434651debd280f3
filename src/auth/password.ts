import { createHmac } from 'node:crypto'
import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import bcrypt from 'bcrypt'

/**
 * Password rules (issue #3): 8..128 characters of any kind, no composition rules; refused when
 * common or derived from the person's own data (zxcvbn score below the configured minimum).
 * Stored as bcrypt of an HMAC-SHA256 of the password under a server-side pepper: bcrypt reads
 * only 72 bytes, the HMAC makes every character of a long password count.
 */
export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128

zxcvbnOptions.setOptions({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs })

export interface PasswordVerdict {
  ok: boolean
  score: number
  /** zxcvbn's reasons, as stable keys (e.g. "commonWords"), for clients to translate. */
  warning: string | null
  suggestions: string[]
}

/** The person's own data, split into the words a guesser would try first. */
function personalWords(userInputs: (string | null | undefined)[]): string[] {
  const words = new Set<string>()
  for (const input of userInputs) {
    if (!input) continue
    const value = input.toLowerCase()
    words.add(value)
    for (const part of value.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part)
    // "ivan.petrov@example.ru" is tried as "ivanpetrov" too.
    const local = value.split('@')[0] ?? value
    words.add(local.replace(/[^\p{L}\p{N}]+/gu, ''))
  }
  return [...words]
}

export function judgePassword(password: string, userInputs: (string | null | undefined)[], minScore: number): PasswordVerdict {
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    return { ok: false, score: 0, warning: 'length', suggestions: [] }
  }
  // zxcvbn's cost grows with length; past 64 characters its estimate no longer changes the verdict.
  const result = zxcvbn(password.slice(0, 64), personalWords(userInputs))
  return {
    ok: result.score >= minScore,
    score: result.score,
    warning: result.feedback.warning || null,
    suggestions: result.feedback.suggestions,
  }
}

function prehash(password: string, pepper: string): string {
  return createHmac('sha256', pepper).update(password.normalize('NFC'), 'utf8').digest('base64')
}

export function hashPassword(password: string, pepper: string, cost: number): Promise<string> {
  return bcrypt.hash(prehash(password, pepper), cost)
}

export function verifyPassword(password: string, hash: string, pepper: string): Promise<boolean> {
  return bcrypt.compare(prehash(password, pepper), hash)
}
