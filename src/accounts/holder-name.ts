/** Account holders as the supplier's register names them: pure rules, shared by sign-up, linking and documents. */

/** A register's holder as one line: "Иванов Иван Петрович". */
export function holderName(account: { holderSurname: string; holderGivenNames: string | null }): string {
  return [account.holderSurname, account.holderGivenNames].filter(Boolean).join(' ')
}

/** Surnames compare case-insensitively and with ё = е, as Russian registers spell them either way. */
export function sameSurname(a: string, b: string): boolean {
  const fold = (value: string) => value.normalize('NFC').trim().toLocaleLowerCase('ru').replace(/ё/g, 'е').replace(/\s+/g, ' ')
  return fold(a) !== '' && fold(a) === fold(b)
}

/** A person as other holders of the account see them: the surname and initials, "Иванов И. П.". */
export function shortName(person: { surname: string; givenNames: string | null }): string {
  const initials = (person.givenNames ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((name) => `${[...name][0]!.toUpperCase()}.`)
    .join(' ')
  return initials ? `${person.surname} ${initials}` : person.surname
}
