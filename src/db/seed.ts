import type { PrismaClient } from '../generated/prisma/client.ts'
import { accountNumberFormatOf, normalizeAccountNumber } from '../suppliers/account-number.ts'
import { demoAccounts, demoMeters, demoSuppliers } from './demo-data.ts'

export interface SeedResult {
  suppliers: number
  accounts: number
  meters: number
}

/**
 * Inserts the demo data, skipping what exists (matched by supplier code and by supplier +
 * account number), so running it again changes nothing, and nothing an operator edited is
 * overwritten. Returns the number of rows inserted.
 */
export async function seedDemoData(prisma: PrismaClient): Promise<SeedResult> {
  return prisma.$transaction(async (tx) => {
    const suppliers = await tx.supplier.createMany({ data: demoSuppliers, skipDuplicates: true })
    const byCode = new Map(
      (await tx.supplier.findMany({ where: { code: { in: demoSuppliers.map((s) => s.code) } } })).map((s) => [s.code, s]),
    )
    const accounts = demoAccounts.map(({ supplierCode, ...account }) => {
      const supplier = byCode.get(supplierCode)
      if (!supplier) throw new Error(`demo data: unknown supplier ${supplierCode}`)
      const normalized = normalizeAccountNumber(account.number, accountNumberFormatOf(supplier))
      if (!normalized.ok) throw new Error(`demo data: ${supplierCode} ${account.number}: ${normalized.reason}`)
      return { ...account, number: normalized.number, supplierId: supplier.id }
    })
    const inserted = await tx.account.createMany({ data: accounts, skipDuplicates: true })
    const accountIds = new Map(
      (await tx.account.findMany({ where: { supplierId: { in: [...byCode.values()].map((s) => s.id) } } })).map((a) => [`${a.supplierId}/${a.number}`, a.id]),
    )
    const meters = demoMeters.map(({ supplierCode, accountNumber, ...meter }) => {
      const accountId = accountIds.get(`${byCode.get(supplierCode)?.id}/${accountNumber}`)
      if (!accountId) throw new Error(`demo data: no account ${supplierCode} ${accountNumber} for meter ${meter.serialNumber}`)
      return { ...meter, accountId }
    })
    const insertedMeters = await tx.meter.createMany({ data: meters, skipDuplicates: true })
    return { suppliers: suppliers.count, accounts: inserted.count, meters: insertedMeters.count }
  })
}

export async function isEmpty(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.supplier.count()) === 0
}
