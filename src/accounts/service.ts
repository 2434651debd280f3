import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { visibleAccounts } from '../access/visibility.ts'
import type { AuditContext } from '../audit/audit.ts'
import type { Caller } from '../access/guard.ts'
import { holderName } from './holder-name.ts'
import { ConflictError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import type { Account, Meter, Supplier } from '../generated/prisma/client.ts'
import { balances } from '../ledger/service.ts'
import { localDate, verificationExpired, zonesOf } from './meters.ts'
import { findAccountInRegister } from './registry-match.ts'
import type { AccountDetails, AccountSummary, Balance, LinkAccountRequest, MeterInfo } from './schemas.ts'

// readings/service.ts still imports the rule from here; drop this once it imports access/visibility.ts.

function meterInfo(meter: Meter, today: string): MeterInfo {
  return {
    id: meter.id,
    service: meter.service,
    serialNumber: meter.serialNumber,
    zones: zonesOf(meter.zones),
    digitCapacity: meter.digitCapacity,
    installedAt: meter.installedAt?.toISOString().slice(0, 10) ?? null,
    verificationDueAt: meter.verificationDueAt?.toISOString().slice(0, 10) ?? null,
    verificationExpired: verificationExpired(meter.verificationDueAt, today),
    status: meter.status,
  }
}

function createAccountsService(app: FastifyInstance) {
  function summaryOf(account: Account & { supplier: Supplier }, balance: Balance): AccountSummary {
    const { supplier } = account
    return {
      id: account.id,
      supplier: { id: supplier.id, name: supplier.name, shortName: supplier.shortName, timeZone: supplier.timeZone },
      number: account.number,
      address: account.address,
      holder: holderName(account),
      services: account.services,
      status: account.status,
      receiptDelivery: account.receiptDelivery,
      balance,
    }
  }

  async function findVisible(caller: Caller, accountId: string) {
    const account = await app.prisma.account.findFirst({
      where: { id: accountId, ...visibleAccounts(caller) },
      include: { supplier: true, meters: { orderBy: [{ status: 'asc' }, { service: 'asc' }, { serialNumber: 'asc' }] } },
    })
    if (!account) throw new NotFoundError('account_not_found', 'No such account among yours.')
    return account
  }

  return {
    findVisible,

    async list(caller: Caller, { limit = DEFAULT_PAGE_SIZE, cursor }: PageQuery) {
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined
      const rows = await app.prisma.account.findMany({
        where: { ...visibleAccounts(caller), ...(after ? { id: { gt: after[0] } } : {}) },
        include: { supplier: true },
        orderBy: { id: 'asc' },
        take: limit + 1,
      })
      const sums = await balances(app.prisma, rows.slice(0, limit).map((a) => a.id))
      return pageOf(rows, limit, (a) => [a.id], (a) => summaryOf(a, sums.get(a.id)!))
    },

    async details(caller: Caller, accountId: string): Promise<AccountDetails> {
      const account = await findVisible(caller, accountId)
      const sums = await balances(app.prisma, [account.id])
      const today = localDate(new Date(), account.supplier.timeZone)
      return {
        ...summaryOf(account, sums.get(account.id)!),
        holderSurname: account.holderSurname,
        holderGivenNames: account.holderGivenNames,
        residentsCount: account.residentsCount,
        areaM2: account.areaM2?.toFixed(2) ?? null,
        meters: account.meters.map((m) => meterInfo(m, today)),
      }
    },

    async meters(caller: Caller, accountId: string) {
      const account = await findVisible(caller, accountId)
      const today = localDate(new Date(), account.supplier.timeZone)
      return { items: account.meters.map((m) => meterInfo(m, today)) }
    },

    async link(caller: Caller, input: LinkAccountRequest): Promise<AccountDetails> {
      const account = await findAccountInRegister(app, input)
      await app.prisma.$transaction(async (tx) => {
        // Serialized per user, so that two links at once cannot pass the limit together.
        await tx.$queryRaw`SELECT id FROM "user" WHERE id = ${caller.userId}::uuid FOR UPDATE`
        const linked = await tx.userAccount.count({ where: { userId: caller.userId } })
        if (await tx.userAccount.findUnique({ where: { userId_accountId: { userId: caller.userId, accountId: account.id } } })) {
          throw new ConflictError('account_already_linked', 'This account is already linked to you.')
        }
        if (linked >= app.config.maxLinkedAccounts) {
          throw new UnprocessableError('too_many_accounts', `At most ${app.config.maxLinkedAccounts} accounts can be linked to one login.`)
        }
        await tx.userAccount.create({ data: { userId: caller.userId, accountId: account.id } })
      })
      return this.details(caller, account.id)
    },

    async unlink(caller: Caller, accountId: string): Promise<void> {
      const removed = await app.prisma.userAccount.deleteMany({ where: { userId: caller.userId, accountId } })
      if (removed.count === 0) throw new NotFoundError('account_not_found', 'No such account among yours.')
    },

    async setReceiptDelivery(caller: Caller, accountId: string, receiptDelivery: 'paper' | 'electronic', audit: AuditContext): Promise<AccountDetails> {
      const account = await findVisible(caller, accountId)
      if (account.status !== 'active') throw new UnprocessableError('account_closed', 'The account is closed.')
      await app.prisma.$transaction(async (tx) => {
        await tx.account.update({ where: { id: account.id }, data: { receiptDelivery } })
        await app.audit.record(tx, audit, {
          supplierId: account.supplierId,
          entity: 'account',
          entityId: account.id,
          action: 'update',
          before: { receiptDelivery: account.receiptDelivery },
          after: { receiptDelivery },
        })
      })
      return this.details(caller, account.id)
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    accounts: ReturnType<typeof createAccountsService>
  }
}

export default fp(
  async function accountsService(app: FastifyInstance) {
    app.decorate('accounts', createAccountsService(app))
  },
  { name: 'accounts-service', dependencies: ['prisma', 'audit'] },
)
