/**
 * The arithmetic of an account's ledger, on exact kopecks. Pure: the sums come from
 * ledger/queries.ts, which decides which charges and payments count; this decides what they add
 * up to. A positive balance is the customer's debt, a negative one money paid in advance.
 */
import { addMonths, monthsBetween } from '../common/periods.ts'
import { sumKopecks, type Kopecks } from '../common/money.ts'

/** What one account's ledger holds before some moment, or now. */
export interface LedgerSums {
  /** Debt carried into the register (account.openingBalance). */
  carriedIn: Kopecks
  charged: Kopecks
  /** Payments the bank has settled: only these lower the balance. */
  settled: Kopecks
  /** Payments reported but not yet settled: shown beside the balance, never in it. */
  pending: Kopecks
}

/** carried-in debt + charges − settled payments. */
export function balanceOf(sums: LedgerSums): Kopecks {
  return sums.carriedIn + sums.charged - sums.settled
}

/**
 * What is left to pay once the pending payments settle. Never below zero: an overpayment is a
 * credit against later charges, not an amount the customer is asked for.
 */
export function amountToPay(balance: Kopecks, pending: Kopecks): Kopecks {
  const rest = balance - pending
  return rest > 0n ? rest : 0n
}

/** The debt in a balance (0 when paid up or ahead), and the advance (0 when in debt). */
export function debtOf(balance: Kopecks): { debt: Kopecks; advance: Kopecks } {
  return { debt: balance > 0n ? balance : 0n, advance: balance < 0n ? -balance : 0n }
}

/** The months from `from` to `to` inclusive, YYYY-MM. */
export function periodsBetween(from: string, to: string): string[] {
  return Array.from({ length: Math.max(monthsBetween(from, to), 0) }, (_, i) => addMonths(from, i))
}

/** What moved in one period: charges by service, penalties, and payments settled in it (supplier local date). */
export interface PeriodFlows<S extends string> {
  charges: { service: S; amount: Kopecks }[]
  /** Penalty lines: on the account, not on a service; part of the period's charges total. */
  penalties: Kopecks
  payments: Kopecks
}

export interface StatementPeriodFigures<S extends string> extends PeriodFlows<S> {
  period: string
  openingBalance: Kopecks
  chargesTotal: Kopecks
  closingBalance: Kopecks
}

export interface StatementFigures<S extends string> {
  openingBalance: Kopecks
  chargesTotal: Kopecks
  paymentsTotal: Kopecks
  closingBalance: Kopecks
  periods: StatementPeriodFigures<S>[]
}

/**
 * A statement from the balance before its first period and what moved in each: every period
 * closes at opening + charges − payments and the next one opens there, so it reconciles to the
 * kopeck by construction. Periods with no movement are listed with zeros.
 */
export function statementOf<S extends string>(openingBalance: Kopecks, periods: string[], flows: Map<string, PeriodFlows<S>>): StatementFigures<S> {
  let balance = openingBalance
  const figures = periods.map((period): StatementPeriodFigures<S> => {
    const { charges, penalties, payments } = flows.get(period) ?? { charges: [], penalties: 0n, payments: 0n }
    const chargesTotal = sumKopecks(charges.map((c) => c.amount)) + penalties
    const opening = balance
    balance = opening + chargesTotal - payments
    return { period, openingBalance: opening, charges, penalties, chargesTotal, payments, closingBalance: balance }
  })
  return {
    openingBalance,
    chargesTotal: sumKopecks(figures.map((p) => p.chargesTotal)),
    paymentsTotal: sumKopecks(figures.map((p) => p.payments)),
    closingBalance: balance,
    periods: figures,
  }
}
