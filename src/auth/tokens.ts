import { createHash, randomBytes, randomInt } from 'node:crypto'

/** An opaque secret for a refresh token or a mailed link: 256 random bits, URL-safe. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Only this digest is stored: a database leak does not hand out working tokens. */
export function digestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

// No 0/O, 1/I/L: codes and temporary passwords are read aloud and typed from paper.
const READABLE = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'

export function readableCode(length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += READABLE[randomInt(READABLE.length)]
  return out
}

/** A temporary password handed to a new organization user or operator: ~94 bits, changed at first login. */
export function temporaryPassword(): string {
  return [readableCode(5), readableCode(5), readableCode(5), readableCode(4)].join('-')
}
