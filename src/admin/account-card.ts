import type { FastifyInstance } from 'fastify'
import { listedSupplier } from '../access/scope.ts'
import type { AuditContext } from '../audit/audit.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { BadRequestError, NotFoundError } from '../common/errors.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import { utcIso } from '../db/utc-iso.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { balances } from '../ledger/service.ts'
import type { AccountCard, AccountHit, AccountSearchQuery } from './account-card-schemas.ts'

/** `%`, `_` and `\` typed by someone are letters, not patterns. */
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * What operators answering tickets need: accounts found by number, holder or address (their
 * supplier's only; trigram indexes), and one account's card. Every such read of personal data
 * is written to the audit log with what was asked.
 */
export function createAccountCards(app: FastifyInstance) {
  return {
    async search(context: AuditContext, query: AccountSearchQuery) {
      const supplierId = await listedSupplier(app, context.caller, query.supplierId)
      const q = query.q.trim().replace(/\s+/g, ' ')
      if (!q) throw new BadRequestError('validation_failed', 'Type what to look for.', { errors: [{ in: 'query', pointer: '#/q', detail: 'Empty.' }] })
      const words = q.length >= 3 ? `%${literal(q)}%` : null
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? (decodeCursor(query.cursor, ['string', 'string']) as [string, string]) : null
      // Two index-friendly reads, each ordered and cut on its own, merged in the database's order:
      // the number's beginning (the register's B-tree), any part of the surname or address (trigrams).
      const read = (match: Prisma.Sql) => Prisma.sql`(
        SELECT a.id, a."supplierId", a.number, concat_ws(' ', a."holderSurname", a."holderGivenNames") AS holder, a.address, a.status::text AS status
        FROM account a
        WHERE ${supplierId ? Prisma.sql`a."supplierId" = ${supplierId}::uuid AND ` : Prisma.empty}${match}
          AND (${after?.[0] ?? null}::text IS NULL OR (a.number, a.id) > (${after?.[0] ?? null}::text, ${after?.[1] ?? null}::uuid))
        ORDER BY a.number, a.id LIMIT ${limit + 1})`
      const byNumber = read(Prisma.sql`a.number LIKE ${`${literal(q)}%`}`)
      // One word: any part of the surname or address (trigrams). Several ("Кирова 5"): each a word of
      // the holder or address (the word index), letters as beginnings, numbers whole.
      const terms = q.split(/[^\p{L}\p{N}]+/u).filter(Boolean)
      const tsQuery = terms.map((t) => (/^\p{N}+$/u.test(t) ? t : `${t}:*`)).join(' & ')
      const byWords =
        terms.length > 1
          ? read(Prisma.sql`a."searchWords" @@ to_tsquery('simple', ${tsQuery})`)
          : words
            ? read(Prisma.sql`(a."holderSurname" ILIKE ${words} OR a.address ILIKE ${words})`)
            : null
      const rows = await app.db.sql<AccountHit>`
        SELECT u.*, (SELECT count(*)::int FROM user_account ua WHERE ua."accountId" = u.id) AS "linkedLogins"
        FROM (${byWords ? Prisma.sql`${byNumber} UNION ${byWords}` : byNumber}) u
        ORDER BY u.number, u.id LIMIT ${limit + 1}`
      await app.audit.record(app.db, context, { supplierId, entity: 'account', entityId: 'search', action: 'read', after: { q, found: Math.min(rows.length, limit) } })
      return pageOf(rows, limit, (r) => [r.number, r.id], (r) => r)
    },

    async card(context: AuditContext, accountId: string): Promise<AccountCard> {
      const { caller } = context
      const [account] = await app.db.sql<Omit<AccountCard['account'], 'balance'>>`
        SELECT a.id, a."supplierId", a.number, concat_ws(' ', a."holderSurname", a."holderGivenNames") AS holder, a.address, a.status::text AS status,
          (SELECT count(*)::int FROM user_account ua WHERE ua."accountId" = a.id) AS "linkedLogins",
          a."residentsCount" AS "residentsCount", a."areaM2"::text AS "areaM2", a."receiptDelivery"::text AS "receiptDelivery"
        FROM account a WHERE a.id = ${accountId}::uuid`
      if (!account || (caller.role !== 'admin' && caller.supplierId !== account.supplierId)) throw new NotFoundError('account_not_found', 'No such account at your supplier.')
      const [logins, readings, invoices, payments, tickets, balance] = await Promise.all([
        app.db.sql<AccountCard['logins'][number]>`
          SELECT u.id AS "userId", concat_ws(' ', u."givenNames", u.surname) AS name, u.role::text AS role, u.email, u.phone
          FROM user_account ua JOIN "user" u ON u.id = ua."userId" WHERE ua."accountId" = ${accountId}::uuid AND u."deletedAt" IS NULL ORDER BY u.surname, u.id`,
        app.db.sql<AccountCard['readings'][number]>`
          SELECT r.id, m."serialNumber" AS "meterSerialNumber", to_char(r.period, 'YYYY-MM') AS period, r.status::text AS status, r.t1::text AS t1,
            ${utcIso('r."takenAt"')} AS "takenAt"
          FROM reading r JOIN meter m ON m.id = r."meterId" WHERE r."accountId" = ${accountId}::uuid ORDER BY r."takenAt" DESC, r.id DESC LIMIT 10`,
        app.db.sql<AccountCard['invoices'][number]>`
          SELECT id, to_char(period, 'YYYY-MM') AS period, number, "totalDue"::text AS "totalDue", to_char("dueDate", 'YYYY-MM-DD') AS "dueDate"
          FROM invoice WHERE "accountId" = ${accountId}::uuid ORDER BY period DESC LIMIT 6`,
        app.db.sql<AccountCard['payments'][number]>`
          SELECT id, amount::text AS amount, status::text AS status, provider, ${utcIso('"paidAt"')} AS "paidAt"
          FROM payment WHERE "accountId" = ${accountId}::uuid ORDER BY "paidAt" DESC, id DESC LIMIT 10`,
        app.db.sql<AccountCard['tickets'][number]>`
          SELECT id, number, subject, status::text AS status, ${utcIso('"createdAt"')} AS "createdAt"
          FROM ticket WHERE "accountId" = ${accountId}::uuid ORDER BY "createdAt" DESC, id DESC LIMIT 10`,
        balances(app.db, [accountId]),
      ])
      await app.audit.record(app.db, context, { supplierId: account.supplierId, entity: 'account', entityId: accountId, action: 'read' })
      return { account: { ...account, balance: balance.get(accountId)?.balance ?? '0.00' }, logins, readings, invoices, payments, tickets }
    },

    async suppliers(query: PageQuery) {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? String(decodeCursor(query.cursor, ['string'])[0]) : null
      const rows = await app.db.sql<{ id: string; code: string; name: string; inn: string; timeZone: string; accounts: number }>`
        SELECT s.id, s.code, s.name, s.inn, s."timeZone", (SELECT count(*)::int FROM account a WHERE a."supplierId" = s.id) AS accounts
        FROM supplier s WHERE (${after}::text IS NULL OR s.code > ${after}::text) ORDER BY s.code LIMIT ${limit + 1}`
      return pageOf(rows, limit, (r) => [r.code], (r) => r)
    },
  }
}

export type AccountCards = ReturnType<typeof createAccountCards>
