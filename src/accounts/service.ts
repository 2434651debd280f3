import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { visibleAccounts } from '../access/visibility.ts'
import type { AuditContext } from '../audit/audit.ts'
import type { Caller } from '../access/guard.ts'
import { holderName, shortName } from './holder-name.ts'
import { tellOtherHolders } from './holder-notice.ts'
import { ConflictError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import { isUniqueViolation } from '../common/unique-violation.ts'
import type { Account, Meter, Supplier } from '../generated/prisma/client.ts'
import { balances } from '../ledger/service.ts'
import { localDate, verificationExpired, zonesOf } from './meters.ts'
import { accountNotMatched } from './registry-match.ts'
import type { AccountDetails, AccountSummary, Balance, LinkAccountRequest, MeterInfo } from './schemas.ts'
import { emitEvents } from '../webhooks/events.ts'
import { accountLinkEvent } from '../webhooks/payloads.ts'

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

    /** Who is linked to an account the caller sees: names as other holders see them, and when. */
    async holders(caller: Caller, accountId: string) {
      const account = await findVisible(caller, accountId)
      const rows = await app.db.sql<{ userId: string; surname: string; givenNames: string | null; linkedAt: Date }>`
        SELECT u.id AS "userId", u.surname, u."givenNames", ua."linkedAt"
        FROM user_account ua JOIN "user" u ON u.id = ua."userId"
        WHERE ua."accountId" = ${account.id}::uuid AND u."deletedAt" IS NULL
        ORDER BY ua."linkedAt", u.id`
      return {
        items: rows.map((row) => ({ name: shortName(row), linkedAt: row.linkedAt.toISOString(), you: row.userId === caller.userId })),
      }
    },

    async list(caller: Caller, { limit = DEFAULT_PAGE_SIZE, cursor }: PageQuery) {
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined
      const rows = await app.prisma.account.findMany({
        where: { ...visibleAccounts(caller), ...(after ? { id: { gt: after[0] } } : {}) },
        include: { supplier: true },
        orderBy: { id: 'asc' },
        take: limit + 1,
      })
      const sums = await balances(app.db, rows.slice(0, limit).map((a) => a.id))
      return pageOf(rows, limit, (a) => [a.id], (a) => summaryOf(a, sums.get(a.id)!))
    },

    async details(caller: Caller, accountId: string): Promise<AccountDetails> {
      const account = await findVisible(caller, accountId)
      const sums = await balances(app.db, [account.id])
      const today = localDate(app.config.clock.now(), account.supplier.timeZone)
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
      const today = localDate(app.config.clock.now(), account.supplier.timeZone)
      return { items: account.meters.map((m) => meterInfo(m, today)) }
    },

    async link(caller: Caller, input: LinkAccountRequest, ip: string): Promise<AccountDetails> {
      const account = await app.auth.proveHolder(input, { person: `user:${caller.userId}`, ip })
      // An organization's login is issued by one supplier and acts only within it: another
      // supplier's account is answered like one that does not match.
      if (caller.role === 'organization' && account.supplierId !== caller.supplierId) throw accountNotMatched()
      const alreadyLinked = new ConflictError('account_already_linked', 'This account is already linked to you.')
      await app.transaction(async (tx) => {
        // Locks first, each a statement of its own, and the decisions in the statements after:
        // in READ COMMITTED a statement that waited for a lock still reads other rows as of its
        // start. The user's row serializes this user's links and unlinks; a share lock on the
        // account holds off a concurrent close until this link is committed.
        await tx.$queryRaw`SELECT id FROM "user" WHERE id = ${caller.userId}::uuid FOR UPDATE`
        await tx.$queryRaw`SELECT id FROM account WHERE id = ${account.id}::uuid FOR SHARE`
        const current = await tx.account.findUniqueOrThrow({ where: { id: account.id }, select: { status: true } })
        if (current.status !== 'active') throw accountNotMatched()
        if (await tx.userAccount.findUnique({ where: { userId_accountId: { userId: caller.userId, accountId: account.id } } })) throw alreadyLinked
        // The limit is decided on the user's own row, which this UPDATE locks and re-reads at its
        // latest version: it holds even for a path that skipped the lock above, and the CHECK on
        // the counter bounds it in any case.
        const counted = await tx.$executeRaw`
          UPDATE "user" SET "linkedAccounts" = "linkedAccounts" + 1
          WHERE id = ${caller.userId}::uuid AND "linkedAccounts" < ${app.config.maxLinkedAccounts}`
        if (counted !== 1) {
          throw new UnprocessableError('too_many_accounts', `At most ${app.config.maxLinkedAccounts} accounts can be linked to one login.`)
        }
        await tx.userAccount.create({ data: { userId: caller.userId, accountId: account.id } }).catch((error: unknown) => {
          throw isUniqueViolation(error, 'user_account_pkey') ? alreadyLinked : error
        })
        await emitEvents(tx, 'account.linked', app.config.clock.now(), accountLinkEvent(account.id, caller.userId))
        await tellOtherHolders(app, tx, caller.userId, account)
      })
      return this.details(caller, account.id)
    },

    async unlink(caller: Caller, accountId: string): Promise<void> {
      await app.transaction(async (tx) => {
        // The same lock as link: the counter follows the links exactly.
        await tx.$queryRaw`SELECT id FROM "user" WHERE id = ${caller.userId}::uuid FOR UPDATE`
        const removed = await tx.userAccount.deleteMany({ where: { userId: caller.userId, accountId } })
        if (removed.count === 0) throw new NotFoundError('account_not_found', 'No such account among yours.')
        await tx.$executeRaw`UPDATE "user" SET "linkedAccounts" = "linkedAccounts" - 1 WHERE id = ${caller.userId}::uuid`
        await emitEvents(tx, 'account.unlinked', app.config.clock.now(), accountLinkEvent(accountId, caller.userId))
      })
    },

    async setReceiptDelivery(caller: Caller, accountId: string, receiptDelivery: 'paper' | 'electronic', audit: AuditContext): Promise<AccountDetails> {
      const account = await findVisible(caller, accountId)
      if (account.status !== 'active') throw new UnprocessableError('account_closed', 'The account is closed.')
      await app.transaction(async (tx) => {
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
  { name: 'accounts-service', dependencies: ['prisma', 'audit', 'auth-service', 'mail'] },
)
