import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AuditContext } from '../audit/audit.ts'
import type { Caller } from '../access/guard.ts'
import { visibleSupplier } from '../access/scope.ts'
import { UnprocessableError } from '../common/errors.ts'
import type { Prisma, Supplier } from '../generated/prisma/client.ts'
import { accountNumberFormatOf } from '../suppliers/account-number.ts'
import {
  patternProblem,
  validCorrespondentAccount,
  validInn,
  validSettlementAccount,
  validPattern,
  validTimeZone,
} from '../suppliers/requisites.ts'
import type { SupplierCreate, SupplierDetails, SupplierUpdate } from './supplier-schemas.ts'

/** Settings stored under the same names as the API gives them. */
const SAME_NAMED = ['name', 'shortName', 'inn', 'kpp', 'bankName', 'bik', 'settlementAccount', 'correspondentAccount', 'services'] as const

function sameNamed<T extends Partial<Pick<Supplier, (typeof SAME_NAMED)[number]>>>(source: T): Pick<T, (typeof SAME_NAMED)[number]> {
  return Object.fromEntries(SAME_NAMED.map((key) => [key, source[key]]))
}

export function supplierDetailsOf(s: Supplier): SupplierDetails {
  return {
    id: s.id,
    code: s.code,
    ...sameNamed(s),
    accountNumberFormat: accountNumberFormatOf(s),
    readingWindow: { startDay: s.readingWindowStartDay, endDay: s.readingWindowEndDay },
    paymentDueDay: s.paymentDueDay,
    timeZone: s.timeZone,
    linkProof: s.linkProof,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  }
}

/** Every problem of a complete set of settings at once, each pointing at its member. */
function settingsProblems(s: Omit<SupplierCreate, 'code'>): { in: 'body'; pointer: string; detail: string }[] {
  const problems: { in: 'body'; pointer: string; detail: string }[] = []
  const add = (pointer: string, detail: string) => problems.push({ in: 'body', pointer, detail })
  if (!validInn(s.inn)) add('#/inn', 'the INN fails its control digits')
  if (!validSettlementAccount(s.settlementAccount, s.bik)) add('#/settlementAccount', "the account fails the control key with the bank's BIK")
  if (!validCorrespondentAccount(s.correspondentAccount, s.bik)) add('#/correspondentAccount', "the correspondent account does not belong to the bank's BIK")
  if (!validTimeZone(s.timeZone)) add('#/timeZone', 'not an IANA time zone such as Asia/Novosibirsk')
  if (s.readingWindow.startDay > s.readingWindow.endDay) add('#/readingWindow', 'the window starts after it ends')
  const format = s.accountNumberFormat
  const patternIssue = patternProblem(format.pattern, format.example)
  if (patternIssue) add('#/accountNumberFormat/pattern', patternIssue)
  if (format.shortForm && !validPattern(format.shortForm.pattern)) {
    add('#/accountNumberFormat/shortForm/pattern', 'not a valid regular expression')
  }
  return problems
}

function columnsOf(s: Partial<Omit<SupplierCreate, 'code'>> & { linkProof?: SupplierDetails['linkProof'] | undefined }): Prisma.SupplierUpdateInput {
  return {
    ...sameNamed(s),
    ...(s.accountNumberFormat
      ? {
          accountNumberPattern: s.accountNumberFormat.pattern,
          accountNumberExample: s.accountNumberFormat.example,
          accountNumberShortPattern: s.accountNumberFormat.shortForm?.pattern ?? null,
          accountNumberShortPrefix: s.accountNumberFormat.shortForm?.prefix ?? null,
          accountNumberShortPadLength: s.accountNumberFormat.shortForm?.padLength ?? null,
        }
      : {}),
    readingWindowStartDay: s.readingWindow?.startDay,
    readingWindowEndDay: s.readingWindow?.endDay,
    paymentDueDay: s.paymentDueDay,
    timeZone: s.timeZone,
    linkProof: s.linkProof,
  }
}

function createSupplierAdminService(app: FastifyInstance) {
  const invalid = (errors: ReturnType<typeof settingsProblems>) =>
    new UnprocessableError('supplier_settings_invalid', 'Some settings are invalid; see `errors`.', { errors })

  return {
    async create(input: SupplierCreate, audit: AuditContext): Promise<SupplierDetails> {
      const problems = settingsProblems(input)
      if (problems.length) throw invalid(problems)
      const supplier = await app.transaction(async (tx) => {
        const created = await tx.supplier.create({ data: { ...(columnsOf(input) as Prisma.SupplierCreateInput), code: input.code } })
        await app.audit.record(tx, audit, {
          supplierId: created.id,
          entity: 'supplier',
          entityId: created.id,
          action: 'create',
          after: supplierDetailsOf(created),
        })
        return created
      })
      return supplierDetailsOf(supplier)
    },

    async get(caller: Caller, supplierId: string): Promise<SupplierDetails> {
      return supplierDetailsOf(await visibleSupplier(app, caller, supplierId))
    },

    async update(caller: Caller, supplierId: string, patch: SupplierUpdate, audit: AuditContext): Promise<SupplierDetails> {
      await visibleSupplier(app, caller, supplierId)
      const updated = await app.transaction(async (tx) => {
        // Locked, then read again by the next statement: the patch is checked against the
        // settings as they are once the lock is granted, so two patches at once (a new BIK here,
        // a new account there) cannot each pass against the old settings and store a pair that
        // fails its control key. The CHECK constraints on supplier are the backstop.
        await tx.$queryRaw`SELECT id FROM supplier WHERE id = ${supplierId}::uuid FOR NO KEY UPDATE`
        const before = supplierDetailsOf(await tx.supplier.findUniqueOrThrow({ where: { id: supplierId } }))
        // The whole resulting settings must hold together (a new BIK with the old account, say).
        const problems = settingsProblems({ ...before, ...patch })
        if (problems.length) throw invalid(problems)
        const saved = await tx.supplier.update({ where: { id: supplierId }, data: columnsOf(patch) })
        await app.audit.record(tx, audit, {
          supplierId,
          entity: 'supplier',
          entityId: supplierId,
          action: 'update',
          before,
          after: supplierDetailsOf(saved),
        })
        return saved
      })
      return supplierDetailsOf(updated)
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    supplierAdmin: ReturnType<typeof createSupplierAdminService>
  }
}

export default fp(
  async function supplierAdminService(app: FastifyInstance) {
    app.decorate('supplierAdmin', createSupplierAdminService(app))
  },
  { name: 'supplier-admin-service', dependencies: ['prisma', 'audit'] },
)
