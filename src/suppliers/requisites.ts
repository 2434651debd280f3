/**
 * Check digits of Russian requisites (pure): a typo in an INN or a bank account on a receipt
 * sends customers' money nowhere, so they are verified before they are stored.
 */

function weighted(digits: string, weights: number[]): number {
  return weights.reduce((sum, weight, i) => sum + weight * Number(digits[i]), 0)
}

/** INN: 10 digits (organizations) or 12 (individuals and sole traders), with control digits. */
export function validInn(inn: string): boolean {
  if (/^\d{10}$/.test(inn)) return (weighted(inn, [2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10 === Number(inn[9])
  if (/^\d{12}$/.test(inn)) {
    const first = (weighted(inn, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10
    const second = (weighted(inn, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10
    return first === Number(inn[10]) && second === Number(inn[11])
  }
  return false
}

export function validKpp(kpp: string): boolean {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(kpp)
}

export function validBik(bik: string): boolean {
  return /^04\d{7}$/.test(bik)
}

const ACCOUNT_WEIGHTS = [7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1]

function controlKeyOk(prefix: string, account: string): boolean {
  if (!/^\d{20}$/.test(account)) return false
  const digits = prefix + account
  return digits.split('').reduce((sum, d, i) => sum + ((Number(d) * ACCOUNT_WEIGHTS[i]!) % 10), 0) % 10 === 0
}

/** A settlement account (р/с) keyed with the last three digits of its bank's BIK. */
export function validSettlementAccount(account: string, bik: string): boolean {
  return validBik(bik) && controlKeyOk(bik.slice(-3), account)
}

/** A correspondent account (к/с) keyed with "0" and digits 5-6 of the BIK, ending in its last three. */
export function validCorrespondentAccount(account: string, bik: string): boolean {
  return validBik(bik) && account.startsWith('301') && account.endsWith(bik.slice(-3)) && controlKeyOk(`0${bik.slice(4, 6)}`, account)
}

export function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone })
    return timeZone.includes('/') || timeZone === 'UTC'
  } catch {
    return false
  }
}

function compile(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern.replace(/^\^/, '').replace(/\$$/, '')})$`)
  } catch {
    return null
  }
}

export function validPattern(pattern: string): boolean {
  return compile(pattern) !== null
}

/** A usable account-number pattern: it compiles, and the printed example matches it. */
export function patternProblem(pattern: string, example: string): string | null {
  const regex = compile(pattern)
  if (!regex) return 'The account-number pattern is not a valid regular expression.'
  return regex.test(example) ? null : 'The example does not match the account-number pattern.'
}
