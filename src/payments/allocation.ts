/**
 * Where payments go (DOMAIN.md: oldest first), as a pure rule: the specification of
 * allocation-sql.ts, which does the same for many accounts at once (a differential test holds
 * the two together).
 *
 * The debts are each receipt's own items in period order — its principal (the period's charges;
 * the first receipt also carries the debt it opened with) and its penalties, principal first
 * unless PAYMENT_PENALTIES_FIRST — and the money is each settled payment's net amount (less
 * refunds) in the order paid. Laid on one line each, every payment pays the stretch of debt its
 * stretch of money covers; what is beyond every debt is credit.
 */
import type { Kopecks } from '../common/money.ts'

export interface DebtItem {
  invoiceId: string
  part: 'principal' | 'penalty'
  amount: Kopecks
}

export interface Money {
  paymentId: string
  amount: Kopecks
}

export interface Allocation {
  paymentId: string
  /** Null: credit. */
  invoiceId: string | null
  principal: Kopecks
  penalty: Kopecks
}

/** Receipts' items in the order they are paid: by period, then principal and penalty (or the other way). */
export function debtOrder(
  invoices: { invoiceId: string; principal: Kopecks; penalty: Kopecks }[],
  penaltiesFirst: boolean,
): DebtItem[] {
  return invoices.flatMap(({ invoiceId, principal, penalty }) => {
    const items: DebtItem[] = [
      { invoiceId, part: 'principal', amount: principal },
      { invoiceId, part: 'penalty', amount: penalty },
    ]
    return (penaltiesFirst ? items.reverse() : items).filter((item) => item.amount > 0n)
  })
}

export function allocate(debts: DebtItem[], money: Money[]): Allocation[] {
  const out = new Map<string, Allocation>()
  const add = (paymentId: string, invoiceId: string | null, part: 'principal' | 'penalty', amount: Kopecks) => {
    const key = `${paymentId} ${invoiceId}`
    const row = out.get(key) ?? { paymentId, invoiceId, principal: 0n, penalty: 0n }
    row[part] += amount
    out.set(key, row)
  }
  let d = 0
  let leftInDebt = debts[0]?.amount ?? 0n
  for (const { paymentId, amount } of money) {
    let left = amount
    while (left > 0n && d < debts.length) {
      const taken = left < leftInDebt ? left : leftInDebt
      add(paymentId, debts[d]!.invoiceId, debts[d]!.part, taken)
      left -= taken
      leftInDebt -= taken
      if (leftInDebt === 0n) leftInDebt = debts[++d]?.amount ?? 0n
    }
    if (left > 0n) add(paymentId, null, 'principal', left)
  }
  return [...out.values()]
}
