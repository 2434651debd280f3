import fc from 'fast-check'
import { allocate, debtOrder, type DebtItem } from '../../src/payments/allocation.ts'
import { paymentStatusOf } from '../../src/invoices/invoice-view.ts'

const inv = (invoiceId: string, principal: bigint, penalty = 0n) => ({ invoiceId, principal, penalty })

describe('allocation: oldest receipt first, principal before penalties', () => {
  it('pays September before October, September’s principal before its penalty, the rest is credit', () => {
    const debts = debtOrder([inv('sep', 100_000n, 1_000n), inv('oct', 50_000n)], false)
    expect(allocate(debts, [{ paymentId: 'p1', amount: 120_000n }])).toEqual([
      { paymentId: 'p1', invoiceId: 'sep', principal: 100_000n, penalty: 1_000n },
      { paymentId: 'p1', invoiceId: 'oct', principal: 19_000n, penalty: 0n },
    ])
    expect(allocate(debts, [{ paymentId: 'p1', amount: 200_000n }]).at(-1)).toEqual({ paymentId: 'p1', invoiceId: null, principal: 49_000n, penalty: 0n })
  })

  it('penalties first when the supplier says so', () => {
    const debts = debtOrder([inv('sep', 100_000n, 1_000n)], true)
    expect(allocate(debts, [{ paymentId: 'p1', amount: 1_500n }])).toEqual([{ paymentId: 'p1', invoiceId: 'sep', principal: 500n, penalty: 1_000n }])
  })

  it('a second payment goes on where the first stopped', () => {
    const debts = debtOrder([inv('sep', 1_000n), inv('oct', 1_000n)], false)
    expect(allocate(debts, [{ paymentId: 'a', amount: 700n }, { paymentId: 'b', amount: 700n }])).toEqual([
      { paymentId: 'a', invoiceId: 'sep', principal: 700n, penalty: 0n },
      { paymentId: 'b', invoiceId: 'sep', principal: 300n, penalty: 0n },
      { paymentId: 'b', invoiceId: 'oct', principal: 400n, penalty: 0n },
    ])
  })

  const invoices = fc.array(fc.record({ principal: fc.bigInt({ min: 0n, max: 50_000n }), penalty: fc.bigInt({ min: 0n, max: 5_000n }) }), { maxLength: 6 })
  const payments = fc.array(fc.bigInt({ min: 1n, max: 80_000n }), { maxLength: 6 })

  it('property: every kopeck of every payment is placed once; no item gets more than it asks; credit only when all is paid; order kept', () => {
    fc.assert(
      fc.property(invoices, payments, fc.boolean(), (rows, amounts, penaltiesFirst) => {
        const debts: DebtItem[] = debtOrder(rows.map((r, i) => inv(`i${i}`, r.principal, r.penalty)), penaltiesFirst)
        const money = amounts.map((amount, i) => ({ paymentId: `p${i}`, amount }))
        const out = allocate(debts, money)
        for (const m of money) {
          const placed = out.filter((a) => a.paymentId === m.paymentId).reduce((s, a) => s + a.principal + a.penalty, 0n)
          expect(placed).toBe(m.amount)
        }
        const debtTotal = debts.reduce((s, d) => s + d.amount, 0n)
        const moneyTotal = money.reduce((s, m) => s + m.amount, 0n)
        const credit = out.filter((a) => a.invoiceId === null).reduce((s, a) => s + a.principal, 0n)
        expect(credit).toBe(moneyTotal > debtTotal ? moneyTotal - debtTotal : 0n)
        for (const [i, row] of rows.entries()) {
          const mine = out.filter((a) => a.invoiceId === `i${i}`)
          expect(mine.reduce((s, a) => s + a.principal, 0n)).toBeLessThanOrEqual(row.principal)
          expect(mine.reduce((s, a) => s + a.penalty, 0n)).toBeLessThanOrEqual(row.penalty)
        }
        // Oldest first: a receipt gets money only once every earlier one is paid in full.
        let open = false
        for (const [i, row] of rows.entries()) {
          const got = out.filter((a) => a.invoiceId === `i${i}`).reduce((s, a) => s + a.principal + a.penalty, 0n)
          if (open) expect(got).toBe(0n)
          if (got < row.principal + row.penalty) open = true
        }
      }),
    )
  })
})

describe('a receipt’s payment status', () => {
  it.each([
    [0n, 0n, 'nothing_owed'],
    [-100n, 0n, 'nothing_owed'],
    [100n, 0n, 'unpaid'],
    [100n, 1n, 'partly_paid'],
    [100n, 100n, 'paid'],
  ])('owed %s, paid %s → %s', (owed, paid, status) => {
    expect(paymentStatusOf(owed, paid)).toBe(status)
  })
})
