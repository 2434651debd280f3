/**
 * What a bank app may show a payer before paying (API.md): enough to recognise one's own
 * account, not enough to learn a stranger's. Pure rules.
 */

/** "Семёнова", "Анна Петровна" → "С******а А. П." */
export function maskHolder(surname: string, givenNames: string | null): string {
  const letters = [...surname.trim()]
  const masked = letters.length <= 2 ? `${letters[0] ?? ''}*` : `${letters[0]}${'*'.repeat(letters.length - 2)}${letters.at(-1)}`
  const initials = (givenNames ?? '')
    .split(/[\s.]+/)
    .filter(Boolean)
    .map((name) => `${[...name][0]!.toUpperCase()}.`)
    .join(' ')
  return initials ? `${masked} ${initials}` : masked
}

/** The street is shown, the house and flat are not: every number becomes one star. */
export function maskAddress(address: string): string {
  return address.replace(/\d+(\s*[/-]\s*\d+)*[а-яa-z]?/giu, '*')
}
