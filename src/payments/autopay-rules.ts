/**
 * Autopay's rules, without I/O: how much a charge takes, and the consent a customer gives.
 * A charge takes what the account owes when it runs (a payment made since the receipt lowers
 * it), never more than what is left of the month's limit, and is skipped when that is nothing.
 */
import { formatKopecks, rubles, type Kopecks } from '../common/money.ts'

export type AutopayAmount = { kind: 'charge'; amount: Kopecks } | { kind: 'skip'; reason: 'nothing_due' | 'limit_reached' }

export function autopayAmount(toPay: Kopecks, monthlyLimit: Kopecks, chargedThisMonth: Kopecks): AutopayAmount {
  if (toPay <= 0n) return { kind: 'skip', reason: 'nothing_due' }
  const left = monthlyLimit - chargedThisMonth
  if (left <= 0n) return { kind: 'skip', reason: 'limit_reached' }
  return { kind: 'charge', amount: toPay < left ? toPay : left }
}

/** What a receipt's charge is announced as: its amount due, up to the limit. */
export function plannedAmount(totalDue: Kopecks, monthlyLimit: Kopecks): Kopecks {
  return totalDue < monthlyLimit ? totalDue : monthlyLimit
}

/** The first payment, whose card is saved: what the account owes now, or a ruble of advance when it owes nothing. */
export const MIN_BINDING_PAYMENT = 100n

export function bindingAmount(toPay: Kopecks): Kopecks {
  return toPay >= MIN_BINDING_PAYMENT ? toPay : MIN_BINDING_PAYMENT
}

export const CONSENT_VERSION = '2026-12'

/** The consent as the customer gives it; stored on the autopay word for word. */
export function consentText(accountNumber: string, supplier: string, monthlyLimit: Kopecks): string {
  return (
    `Я поручаю ${supplier} списывать с сохранённой банковской карты сумму к оплате по квитанциям лицевого счёта ${accountNumber}, ` +
    `не более ${rubles(monthlyLimit)} в календарный месяц. О каждом списании меня уведомляют по электронной почте заранее и после него. ` +
    `Я могу отключить автоплатёж в любой момент в личном кабинете; после отказа банка в списании автоплатёж останавливается. ` +
    `(Редакция ${CONSENT_VERSION}, лимит ${formatKopecks(monthlyLimit)} RUB.)`
  )
}
