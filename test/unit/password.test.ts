import { hashPassword, judgePassword, verifyPassword } from '../../src/auth/password.ts'
import { digestToken, newSecretToken, temporaryPassword } from '../../src/auth/tokens.ts'

const PEPPER = 'unit-test-pepper-unit-test-pepper-0123'

describe('judgePassword', () => {
  it('accepts a long passphrase of any characters, with no composition rules', () => {
    expect(judgePassword('тихий огонёк над рекою плывёт', [], 3).ok).toBe(true)
    expect(judgePassword('correct horse battery staple', [], 3).ok).toBe(true)
  })

  it.each(['password', 'qwerty123', '12345678', 'iloveyou1'])('refuses the common password %s', (password) => {
    expect(judgePassword(password, [], 3)).toMatchObject({ ok: false })
  })

  it('refuses a password made of the person’s own email and name', () => {
    const inputs = ['ivan.petrov@example.ru', 'Петров', 'Иван']
    expect(judgePassword('ivanpetrov2026', inputs, 3).ok).toBe(false)
    expect(judgePassword('ivanpetrov2026', [], 3).score).toBeGreaterThan(judgePassword('ivanpetrov2026', inputs, 3).score)
  })

  it('enforces 8..128 characters, counting characters rather than bytes', () => {
    expect(judgePassword('Ёж7#kQ!', [], 0)).toMatchObject({ ok: false, warning: 'length' })
    expect(judgePassword('ёжиковый', [], 0).ok).toBe(true)
    expect(judgePassword('x'.repeat(129), [], 0)).toMatchObject({ ok: false, warning: 'length' })
  })
})

describe('hashPassword / verifyPassword', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple', PEPPER, 4)
    expect(hash).toMatch(/^\$2b\$04\$/)
    await expect(verifyPassword('correct horse battery staple', hash, PEPPER)).resolves.toBe(true)
    await expect(verifyPassword('correct horse battery stapl', hash, PEPPER)).resolves.toBe(false)
  })

  it('tells apart long passwords that differ only after byte 72 (bcrypt alone would not)', async () => {
    const base = 'я'.repeat(40) // 80 bytes in UTF-8
    const hash = await hashPassword(`${base}A`, PEPPER, 4)
    await expect(verifyPassword(`${base}B`, hash, PEPPER)).resolves.toBe(false)
  })

  it('depends on the pepper: a stolen hash is useless without the server secret', async () => {
    const hash = await hashPassword('correct horse battery staple', PEPPER, 4)
    await expect(verifyPassword('correct horse battery staple', hash, `${PEPPER}x`)).resolves.toBe(false)
  })
})

describe('tokens', () => {
  it('are long, URL-safe and stored only as a digest', () => {
    const token = newSecretToken()
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(digestToken(token)).toMatch(/^[0-9a-f]{64}$/)
    expect(digestToken(token)).not.toContain(token)
  })

  it('temporary passwords are readable and strong enough for the policy', () => {
    const password = temporaryPassword()
    expect(password).toMatch(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{4}$/)
    expect(judgePassword(password, [], 3).ok).toBe(true)
  })
})
