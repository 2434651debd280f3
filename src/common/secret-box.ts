import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * Secrets at rest (a supplier's provider credentials): AES-256-GCM under DATA_ENCRYPTION_KEY,
 * written as `v1:<iv>:<tag>:<ciphertext>` (base64). `context` is authenticated too, so a
 * ciphertext copied into another supplier's row does not decrypt there.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string
  open(sealed: string, context: string): string
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('createSecretBox: the key must be 32 bytes')
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(context))
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':')
    },
    open(sealed, context) {
      const [version, iv, tag, ciphertext] = sealed.split(':')
      if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('secret box: not a sealed value')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'))
      decipher.setAAD(Buffer.from(context))
      decipher.setAuthTag(Buffer.from(tag, 'base64'))
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8')
    },
  }
}
