import { formatKopecks, toKopecks } from '../../src/common/money.ts'
import { balances } from '../../src/ledger/service.ts'
import type { TestContext } from '../helper.ts'

type Prisma = TestContext['client']['prisma']
let number = 0

/** The requisites a supplier's receipts are issued under (a copy of the supplier's own). */
export async function receiptRequisites(prisma: Prisma, supplierId: string): Promise<string> {
  const [row] = await prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO invoice_requisites (id, "supplierId", name, inn, kpp, "bankName", bik, "settlementAccount", "correspondentAccount")
    SELECT gen_random_uuid(), id, name, inn, kpp, "bankName", bik, "settlementAccount", "correspondentAccount" FROM supplier WHERE id = ${supplierId}::uuid RETURNING id`
  return row!.id
}

/** An issued receipt, written as issuing writes one (its CHECKs hold it to adding up). */
export async function insertReceipt(
  prisma: Prisma,
  r: { accountId: string; period: string; requisitesId: string; opening: string; charged: string; penalties?: string; payments?: string; delivery?: 'paper' | 'electronic' },
): Promise<string> {
  const penalties = r.penalties ?? '0.00'
  const payments = r.payments ?? '0.00'
  const total = formatKopecks(toKopecks(r.opening) - toKopecks(payments) + toKopecks(r.charged) + toKopecks(penalties))
  const lines = [{ service: 'cold_water', kind: 'metered', amount: r.charged }, ...(penalties !== '0.00' ? [{ service: null, kind: 'penalty', amount: penalties }] : [])]
  const [row] = await prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO invoice (id, "supplierId", "accountId", period, number, "requisitesId", "accountNumber", "holderSurname", address, lines,
      "openingBalance", payments, charged, penalties, "totalDue", "dueDate", delivery, "issuedAt")
    SELECT gen_random_uuid(), a."supplierId", a.id, ${`${r.period}-01`}::date, ${++number + 900_000}, ${r.requisitesId}::uuid, a.number, a."holderSurname", a.address,
      ${JSON.stringify(lines)}::jsonb, ${r.opening}::numeric, ${payments}::numeric, ${r.charged}::numeric, ${penalties}::numeric, ${total}::numeric,
      (${`${r.period}-01`}::date + interval '1 month 14 days')::date, ${r.delivery ?? 'paper'}::"ReceiptDelivery", now()
    FROM account a WHERE a.id = ${r.accountId}::uuid
    RETURNING id`
  return row!.id
}

/** A receipt with `due` to pay on top of what the account owed: the account's balance grows by it too. */
export async function owe(prisma: Prisma, r: { accountId: string; period: string; requisitesId: string; due: string }): Promise<string> {
  await prisma.$executeRaw`UPDATE account SET "openingBalance" = "openingBalance" + ${r.due}::numeric WHERE id = ${r.accountId}::uuid`
  return insertReceipt(prisma, { accountId: r.accountId, period: r.period, requisitesId: r.requisitesId, opening: '0.00', charged: r.due, delivery: 'electronic' })
}

/** No debt, no credit, nothing pending: the account's balance is brought to zero through its opening balance. */
export async function settle(ctx: Pick<TestContext, 'client' | 'app'>, accountId: string): Promise<void> {
  const prisma = ctx.client.prisma
  await prisma.$executeRaw`UPDATE payment SET status = 'canceled', "failureReason" = 'test' WHERE "accountId" = ${accountId}::uuid AND status = 'pending'`
  const { balance } = (await balances(ctx.app.db, [accountId])).get(accountId)!
  await prisma.$executeRaw`UPDATE account SET "openingBalance" = "openingBalance" - ${balance}::numeric WHERE id = ${accountId}::uuid`
}
