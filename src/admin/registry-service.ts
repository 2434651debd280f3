import type { Tx } from '../db/transaction.ts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { visibleAccounts } from '../access/visibility.ts'
import type { AuditContext } from '../audit/audit.ts'
import { emitEvents } from '../webhooks/events.ts'
import { accountLinkEvent } from '../webhooks/payloads.ts'
import type { Caller } from '../access/guard.ts'
import { visibleSupplier } from '../access/scope.ts'
import { ConflictError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import type { Account, Meter, Prisma } from '../generated/prisma/client.ts'
import { checkAccountRow, checkMeterRow, type AccountRow, type MeterRow } from '../imports/rows.ts'
import type { AccountAdminUpdate, AccountCreate, AuditQuery, MeterCreate, MeterReplace, MeterUpdate } from './registry-schemas.ts'

type Json = Prisma.InputJsonValue

function accountSnapshot(a: Account): Json {
  return {
    number: a.number,
    address: a.address,
    holderSurname: a.holderSurname,
    holderGivenNames: a.holderGivenNames,
    residentsCount: a.residentsCount,
    areaM2: a.areaM2?.toFixed(2) ?? null,
    services: a.services,
    openingBalance: a.openingBalance.toFixed(2),
    status: a.status,
  }
}

function meterSnapshot(m: Meter): Json {
  return {
    service: m.service,
    serialNumber: m.serialNumber,
    zones: m.zones,
    digitCapacity: m.digitCapacity,
    installedAt: m.installedAt?.toISOString().slice(0, 10) ?? null,
    verificationDueAt: m.verificationDueAt?.toISOString().slice(0, 10) ?? null,
    status: m.status,
  }
}

const toDate = (value: string | null) => (value === null ? null : new Date(`${value}T00:00:00Z`))

/**
 * Staff edits of one account or meter. The same row rules as imports (one set of rules for every
 * way into the register), each change written with its audit entry in one transaction.
 */
function createRegisterService(app: FastifyInstance) {
  async function account(caller: Caller, accountId: string) {
    const found = await app.prisma.account.findFirst({ where: { id: accountId, ...visibleAccounts(caller) }, include: { supplier: true } })
    if (!found) throw new NotFoundError('account_not_found', 'No such account.')
    return found
  }

  async function meter(caller: Caller, meterId: string) {
    const found = await app.prisma.meter.findFirst({ where: { id: meterId, account: visibleAccounts(caller) }, include: { account: { include: { supplier: true } } } })
    if (!found) throw new NotFoundError('meter_not_found', 'No such meter.')
    return found
  }

  // Each edit locks its row and reads it again in the next statement, then decides and writes:
  // in READ COMMITTED a statement that waited for a lock still reads other rows as of its start,
  // so whatever a decision rests on (status, the values a patch is merged into, the audit's
  // "before") comes from a statement that began after the lock was granted. NO KEY UPDATE, the
  // lock an UPDATE takes, still lets readings and meters that reference the row be inserted.

  /** The account, locked against changes (edits) or only against other edits and a close (SHARE). */
  async function lockedAccount(tx: Tx, accountId: string, mode: 'edit' | 'share') {
    if (mode === 'edit') await tx.$queryRaw`SELECT id FROM account WHERE id = ${accountId}::uuid FOR NO KEY UPDATE`
    else await tx.$queryRaw`SELECT id FROM account WHERE id = ${accountId}::uuid FOR SHARE`
    return tx.account.findUniqueOrThrow({ where: { id: accountId }, include: { supplier: true } })
  }

  async function lockedMeter(tx: Tx, meterId: string) {
    await tx.$queryRaw`SELECT id FROM meter WHERE id = ${meterId}::uuid FOR NO KEY UPDATE`
    return tx.meter.findUniqueOrThrow({ where: { id: meterId }, include: { account: { include: { supplier: true } } } })
  }

  /** Meters of a closed account are history: no correction, no replacement. Shared: a close waits for us, and we for it. */
  async function openAccount(tx: Tx, accountId: string) {
    const account = await lockedAccount(tx, accountId, 'share')
    if (account.status !== 'active') throw new UnprocessableError('account_closed', 'The account is closed; its meters can no longer change.')
  }

  function checked<T>(result: { ok: true; row: T } | { ok: false; code: string; detail: string }): T {
    if (!result.ok) throw new UnprocessableError(result.code, result.detail)
    return result.row
  }

  function accountColumns(row: AccountRow) {
    return {
      address: row.address,
      holderSurname: row.holderSurname,
      holderGivenNames: row.holderGivenNames,
      residentsCount: row.residentsCount,
      areaM2: row.areaM2,
      services: row.services,
      ...(row.accessCode ? { accessCode: row.accessCode } : {}),
    }
  }

  function meterColumns(row: MeterRow) {
    return { zones: row.zones, digitCapacity: row.digitCapacity, installedAt: toDate(row.installedAt), verificationDueAt: toDate(row.verificationDueAt) }
  }

  return {
    async createAccount(caller: Caller, supplierId: string, input: AccountCreate, audit: AuditContext): Promise<string> {
      const supplier = await visibleSupplier(app, caller, supplierId)
      const row = checked(checkAccountRow(input, supplier))
      return app.transaction(async (tx) => {
        const created = await tx.account.create({
          data: { supplierId: supplier.id, number: row.number, openingBalance: row.openingBalance, ...accountColumns(row) },
        })
        await app.audit.record(tx, audit, { supplierId: supplier.id, entity: 'account', entityId: created.id, action: 'create', after: accountSnapshot(created) })
        return created.id
      })
    },

    async updateAccount(caller: Caller, accountId: string, patch: AccountAdminUpdate, audit: AuditContext): Promise<void> {
      const { id } = await account(caller, accountId)
      await app.transaction(async (tx) => {
        const current = await lockedAccount(tx, id, 'edit')
        if (current.status !== 'active') throw new UnprocessableError('account_closed', 'The account is closed.')
        const row = checked(
          checkAccountRow(
            {
              number: current.number,
              address: patch.address ?? current.address,
              holderSurname: patch.holderSurname ?? current.holderSurname,
              holderGivenNames: patch.holderGivenNames === undefined ? current.holderGivenNames : patch.holderGivenNames,
              residentsCount: patch.residentsCount ?? current.residentsCount,
              areaM2: patch.areaM2 === undefined ? current.areaM2?.toFixed(2) : patch.areaM2,
              services: patch.services ?? current.services,
              openingBalance: current.openingBalance.toFixed(2),
            },
            current.supplier,
          ),
        )
        const updated = await tx.account.update({ where: { id }, data: accountColumns(row) })
        await app.audit.record(tx, audit, {
          supplierId: current.supplierId,
          entity: 'account',
          entityId: id,
          action: 'update',
          before: accountSnapshot(current),
          after: accountSnapshot(updated),
        })
      })
    },

    async closeAccount(caller: Caller, accountId: string, reason: string, audit: AuditContext): Promise<void> {
      const current = await account(caller, accountId)
      await app.transaction(async (tx) => {
        const closed = await tx.account.updateMany({ where: { id: current.id, status: 'active' }, data: { status: 'closed', closedAt: app.config.clock.now() } })
        if (closed.count === 0) throw new ConflictError('account_closed', 'The account is already closed.')
        await app.audit.record(tx, audit, {
          supplierId: current.supplierId,
          entity: 'account',
          entityId: current.id,
          action: 'close',
          before: { status: 'active' },
          after: { status: 'closed', reason },
        })
      })
    },

    /**
     * A new access code for the account's receipts (the old one was seen by a stranger, say). The
     * people already linked stay linked; the next receipt prints the new code. The code itself is
     * not written to the audit log.
     */
    async renewAccessCode(caller: Caller, accountId: string, audit: AuditContext): Promise<string> {
      const current = await account(caller, accountId)
      return app.transaction(async (tx) => {
        const [row] = await tx.sql<{ accessCode: string }>`
          UPDATE account SET "accessCode" = account_access_code() WHERE id = ${current.id}::uuid RETURNING "accessCode"`
        await app.audit.record(tx, audit, { supplierId: current.supplierId, entity: 'account', entityId: current.id, action: 'renew_access_code' })
        return row!.accessCode
      })
    },

    /** Unlinks a person from the account: a stranger who got the receipt's facts, reported by a holder. */
    async unlinkHolder(caller: Caller, accountId: string, userId: string, audit: AuditContext): Promise<void> {
      const current = await account(caller, accountId)
      await app.transaction(async (tx) => {
        // The same lock as the person's own link and unlink: the counter follows the links exactly.
        await tx.sql`SELECT id FROM "user" WHERE id = ${userId}::uuid FOR UPDATE`
        const removed = await tx.userAccount.deleteMany({ where: { userId, accountId: current.id } })
        if (removed.count === 0) throw new NotFoundError('holder_not_found', 'This person is not linked to the account.')
        await tx.sql`UPDATE "user" SET "linkedAccounts" = "linkedAccounts" - 1 WHERE id = ${userId}::uuid`
        await emitEvents(tx, 'account.unlinked', app.config.clock.now(), accountLinkEvent(current.id, userId))
        await app.audit.record(tx, audit, { supplierId: current.supplierId, entity: 'account', entityId: current.id, action: 'unlink_holder', before: { userId } })
      })
    },

    async addMeter(caller: Caller, accountId: string, input: MeterCreate, audit: AuditContext): Promise<void> {
      const { id } = await account(caller, accountId)
      await app.transaction(async (tx) => {
        // Shared: meters may be added side by side, but not to an account being closed.
        const current = await lockedAccount(tx, id, 'share')
        if (current.status !== 'active') throw new UnprocessableError('account_closed', 'The account is closed.')
        const row = checked(checkMeterRow({ ...input, accountNumber: current.number }, current.supplier))
        // Two adds of one serial number at once: the unique key makes the later one a 409.
        const created = await tx.meter.create({
          data: { accountId: id, service: row.service, serialNumber: row.serialNumber, ...meterColumns(row) },
        })
        await app.audit.record(tx, audit, { supplierId: current.supplierId, entity: 'meter', entityId: created.id, action: 'create', after: meterSnapshot(created) })
      })
    },

    async updateMeter(caller: Caller, meterId: string, patch: MeterUpdate, audit: AuditContext): Promise<string> {
      const { id } = await meter(caller, meterId)
      return app.transaction(async (tx) => {
        const current = await lockedMeter(tx, id)
        await openAccount(tx, current.accountId)
        const row = checked(
          checkMeterRow(
            {
              accountNumber: current.account.number,
              service: current.service,
              serialNumber: current.serialNumber,
              zones: patch.zones ?? current.zones,
              digitCapacity: patch.digitCapacity ?? current.digitCapacity,
              installedAt: patch.installedAt === undefined ? current.installedAt?.toISOString().slice(0, 10) : patch.installedAt,
              verificationDueAt: patch.verificationDueAt === undefined ? current.verificationDueAt?.toISOString().slice(0, 10) : patch.verificationDueAt,
            },
            current.account.supplier,
          ),
        )
        const updated = await tx.meter.update({ where: { id }, data: meterColumns(row) })
        await app.audit.record(tx, audit, {
          supplierId: current.account.supplierId,
          entity: 'meter',
          entityId: id,
          action: 'update',
          before: meterSnapshot(current),
          after: meterSnapshot(updated),
        })
        return current.accountId
      })
    },

    /** The old meter is kept (history, readings) as replaced; the new one takes its place. */
    async replaceMeter(caller: Caller, meterId: string, input: MeterReplace, audit: AuditContext): Promise<string> {
      const { id } = await meter(caller, meterId)
      return app.transaction(async (tx) => {
        // Of two replacements at once, the second finds the meter replaced and adds nothing.
        const current = await lockedMeter(tx, id)
        if (current.status !== 'active') throw new ConflictError('meter_not_active', 'Only an active meter can be replaced.')
        await openAccount(tx, current.accountId)
        const row = checked(
          checkMeterRow(
            {
              accountNumber: current.account.number,
              service: current.service,
              serialNumber: input.serialNumber,
              zones: input.zones ?? current.zones,
              digitCapacity: input.digitCapacity ?? current.digitCapacity,
              installedAt: input.installedAt,
              verificationDueAt: input.verificationDueAt ?? null,
            },
            current.account.supplier,
          ),
        )
        const replacement = await tx.meter.create({
          data: { accountId: current.accountId, service: row.service, serialNumber: row.serialNumber, ...meterColumns(row) },
        })
        // Still conditional: the database, not only the lock above, keeps a meter from being retired twice.
        const retired = await tx.meter.updateMany({
          where: { id, status: 'active' },
          data: { status: 'replaced', closedAt: toDate(row.installedAt) ?? app.config.clock.now(), replacedById: replacement.id },
        })
        if (retired.count === 0) throw new ConflictError('meter_not_active', 'Only an active meter can be replaced.')
        await app.audit.record(tx, audit, {
          supplierId: current.account.supplierId,
          entity: 'meter',
          entityId: id,
          action: 'replace',
          before: meterSnapshot(current),
          after: { status: 'replaced', replacedBy: replacement.id },
        })
        await app.audit.record(tx, audit, { supplierId: current.account.supplierId, entity: 'meter', entityId: replacement.id, action: 'create', after: meterSnapshot(replacement) })
        return current.accountId
      })
    },

    async auditLog(caller: Caller, query: AuditQuery) {
      const { limit = 20, cursor } = query
      const supplierId = caller.role === 'admin' ? query.supplierId : (caller.supplierId ?? undefined)
      if (caller.role !== 'admin' && query.supplierId && query.supplierId !== caller.supplierId) {
        throw new NotFoundError('supplier_not_found', 'No such supplier.')
      }
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined
      const rows = await app.prisma.auditLog.findMany({
        where: {
          ...(supplierId ? { supplierId } : {}),
          ...(query.entity ? { entity: query.entity } : {}),
          ...(query.entityId ? { entityId: query.entityId } : {}),
          ...(after ? { id: { lt: after[0] } } : {}),
        },
        orderBy: { id: 'desc' },
        take: limit + 1,
      })
      return pageOf(rows, limit, (e) => [e.id], (e) => ({ ...e, at: e.at.toISOString(), before: e.before ?? null, after: e.after ?? null }))
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    registry: ReturnType<typeof createRegisterService>
  }
}

export default fp(
  async function registerService(app: FastifyInstance) {
    app.decorate('registry', createRegisterService(app))
  },
  { name: 'register-service', dependencies: ['prisma', 'audit', 'accounts-service'] },
)
