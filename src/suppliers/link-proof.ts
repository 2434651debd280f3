import { parseWrittenAmount, toKopecks } from '../common/money.ts'

/**
 * The second fact a person gives, besides the holder's surname, to link an account (or to
 * register with it): pure rules, no database. Which fact is the supplier's choice (`linkProof`).
 * A sequential account number and a common surname are guessable; these are on the receipt
 * (or in the flat) only.
 */
export type LinkProofKind = 'access_code' | 'premises' | 'last_invoice_amount'

export const LINK_PROOF_LABELS: Record<LinkProofKind, { label: string; hint: string }> = {
  access_code: { label: 'Код доступа', hint: 'Восемь знаков из строки «Код для личного кабинета» на квитанции.' },
  premises: { label: 'Номер квартиры (помещения)', hint: 'Как в адресе на квитанции: 5, 12а; для частного дома — номер дома.' },
  last_invoice_amount: { label: 'Сумма последней квитанции', hint: 'Строка «Итого к оплате» последней квитанции, в рублях с копейками: 1520.40.' },
}

/** What the register knows, to compare with what the person gave. */
export interface ProofFacts {
  accessCode: string
  address: string
  /** The total due of the last issued receipt, as an exact decimal string ("1520.40"); null before the first. */
  lastInvoiceTotal: string | null
}

const fold = (value: string) => value.normalize('NFKC').toUpperCase().replace(/[\s-]+/g, '')

/** Access codes compare without case, spaces or dashes ("ab3k-7m2p" is AB3K7M2P). */
export function sameAccessCode(given: string, code: string): boolean {
  return fold(given) !== '' && fold(given) === fold(code)
}

const PREMISES = /(?:^|[\s,])(?:кв|квартира|пом|помещение|комн|комната|оф|офис)\.?\s*№?\s*([0-9]+[а-яёa-z]?(?:\/[0-9]+)?)/giu
const HOUSE = /(?:^|[\s,])(?:д|дом)\.?\s*№?\s*([0-9]+[а-яёa-z]?(?:\/[0-9]+)?)/giu

/** The premises number in an address: the flat (кв. 5, пом. 1, комн. 3), or the house of a private house (д. 7). */
export function premisesOf(address: string): string | null {
  const last = (pattern: RegExp) => [...address.matchAll(pattern)].at(-1)?.[1] ?? null
  return last(PREMISES) ?? last(HOUSE)
}

const foldPremises = (value: string) =>
  value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/^(?:кв|квартира|пом|помещение|комн|комната|оф|офис|д|дом)\.?\s*№?\s*/u, '')
    .replace(/\s+/g, '')

export function proofMatches(kind: LinkProofKind, given: string, facts: ProofFacts): boolean {
  switch (kind) {
    case 'access_code':
      return sameAccessCode(given, facts.accessCode)
    case 'premises': {
      const premises = premisesOf(facts.address)
      return premises !== null && foldPremises(given) !== '' && foldPremises(given) === foldPremises(premises)
    }
    case 'last_invoice_amount': {
      // As people type it: "1 520,40", "1520.4", "1520,40 ₽".
      const amount = parseWrittenAmount(given.replace(/\s*(?:₽|руб\.?|р\.?)$/iu, ''))
      return facts.lastInvoiceTotal !== null && amount !== null && amount === toKopecks(facts.lastInvoiceTotal)
    }
  }
}
