/**
 * The ledger's figures as the API writes them (decimal strings): an account's balance, and the
 * totals of a statement. Accounts, statements and documents read them here and nowhere else.
 */
import { formatKopecks } from '../common/money.ts'
import type { Service } from '../generated/prisma/client.ts'
import { ledgerSums, pendingPayments, periodFlows, type Db, type PendingPayment } from './queries.ts'
import { amountToPay, balanceOf, periodsBetween, statementOf } from './rules.ts'

export type { Db } from './queries.ts'

export interface AccountBalance {
  balance: string
  pendingPayments: string
  toPay: string
  pending: { id: string; amount: string; paidAt: string; provider: string }[]
}

/** Balances of many accounts in two queries, whatever their number. */
export async function balances(db: Db, accountIds: string[]): Promise<Map<string, AccountBalance>> {
  const sums = await ledgerSums(db, accountIds)
  const pending = new Map<string, PendingPayment[]>()
  for (const payment of await pendingPayments(db, accountIds)) pending.set(payment.accountId, [...(pending.get(payment.accountId) ?? []), payment])
  return new Map(
    [...sums].map(([id, s]) => {
      const balance = balanceOf(s)
      return [
        id,
        {
          balance: formatKopecks(balance),
          pendingPayments: formatKopecks(s.pending),
          toPay: formatKopecks(amountToPay(balance, s.pending)),
          pending: (pending.get(id) ?? []).map((p) => ({ id: p.id, amount: formatKopecks(p.amount), paidAt: p.paidAt.toISOString(), provider: p.provider })),
        },
      ]
    }),
  )
}

export interface StatementTotals {
  openingBalance: string
  chargesTotal: string
  paymentsTotal: string
  closingBalance: string
  periods: {
    period: string
    openingBalance: string
    charges: { service: Service; amount: string }[]
    penalties: string
    chargesTotal: string
    payments: string
    closingBalance: string
  }[]
}

/**
 * An account's statement for the periods `from`..`to` (YYYY-MM) in the supplier's calendar: it
 * opens at the balance of everything dated before `from`, by the same rule as the current balance.
 */
export async function statementTotals(db: Db, accountId: string, range: { from: string; to: string; timeZone: string }): Promise<StatementTotals> {
  const { from, to, timeZone } = range
  const before = await ledgerSums(db, [accountId], { date: `${from}-01`, timeZone })
  const sums = before.get(accountId)
  if (!sums) throw new Error(`statementTotals: no account ${accountId}`)
  const figures = statementOf(balanceOf(sums), periodsBetween(from, to), await periodFlows(db, accountId, from, to, timeZone))
  return {
    openingBalance: formatKopecks(figures.openingBalance),
    chargesTotal: formatKopecks(figures.chargesTotal),
    paymentsTotal: formatKopecks(figures.paymentsTotal),
    closingBalance: formatKopecks(figures.closingBalance),
    periods: figures.periods.map((p) => ({
      period: p.period,
      openingBalance: formatKopecks(p.openingBalance),
      charges: p.charges.map((c) => ({ service: c.service, amount: formatKopecks(c.amount) })),
      penalties: formatKopecks(p.penalties),
      chargesTotal: formatKopecks(p.chargesTotal),
      payments: formatKopecks(p.payments),
      closingBalance: formatKopecks(p.closingBalance),
    })),
  }
}
