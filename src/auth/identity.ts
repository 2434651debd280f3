/**
 * Pure rules for the identifiers people log in with: normalization and classification.
 */

export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase()
}

/** Russian numbers as E.164: "8 (913) 123-45-67", "+7 913 1234567", "9131234567" → "+79131234567". */
export function normalizePhone(phone: string): string | null {
  const digits = phone.replace(/[\s()\-.]/g, '')
  if (!/^\+?\d{10,15}$/.test(digits)) return null
  const bare = digits.replace(/^\+/, '')
  if (bare.length === 10 && bare.startsWith('9')) return `+7${bare}`
  if (bare.length === 11 && (bare.startsWith('8') || bare.startsWith('7'))) return `+7${bare.slice(1)}`
  return digits.startsWith('+') ? digits : null
}

/** How mails address a person: "Иван Петрович Иванов", or the surname (an organization's name) alone. */
export function displayName(person: { surname: string; givenNames: string | null }): string {
  return person.givenNames ? `${person.givenNames} ${person.surname}` : person.surname
}

export const ORG_CODE_PATTERN = /^ORG-[A-Z0-9]{6,12}$/

export type LoginIdentifier =
  | { kind: 'email'; value: string }
  | { kind: 'phone'; value: string }
  | { kind: 'account'; value: string; supplierId: string }
  | { kind: 'orgCode'; value: string }

/**
 * What a login string names: an email (has @), an account number (when a supplier is given),
 * an organization code (ORG-...), or a phone number. Null when it can be none of them.
 */
export function classifyLogin(login: string, supplierId?: string): LoginIdentifier | null {
  const value = login.trim()
  if (value.includes('@')) return { kind: 'email', value: normalizeEmail(value) }
  if (supplierId) return { kind: 'account', value, supplierId }
  const upper = value.toUpperCase()
  if (ORG_CODE_PATTERN.test(upper)) return { kind: 'orgCode', value: upper }
  const phone = normalizePhone(value)
  return phone ? { kind: 'phone', value: phone } : null
}

/** The key failed attempts and per-login limits are counted under (the same for unknown logins). */
export function loginKey(identifier: LoginIdentifier): string {
  return identifier.kind === 'account'
    ? `account:${identifier.supplierId}:${identifier.value.toUpperCase().replace(/\s+/g, '')}`
    : `${identifier.kind}:${identifier.value}`
}
