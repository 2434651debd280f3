import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { holderName } from '../accounts/holder-name.ts'
import type { Caller } from '../access/guard.ts'
import type { AuditContext } from '../audit/audit.ts'
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { formatKopecks, rubles, toKopecks } from '../common/money.ts'
import { periodName } from '../common/periods.ts'
import { isUniqueViolation } from '../common/unique-violation.ts'
import { uuidv7 } from '../common/uuid.ts'
import { newIdFunction } from '../db/ids.ts'
import type { Tx } from '../db/transaction.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { addJob } from '../jobs/queue.ts'
import { balances } from '../ledger/service.ts'
import { formatLocalTime, type MailInput } from '../mail/templates.ts'
import { autopayAmount, bindingAmount, consentText } from './autopay-rules.ts'
import type { AutopaySetup, AutopayView, AutopayChargeView } from './autopay-schemas.ts'
import { AUTOPAY_NOTIFY_TASK, cardContext, endAutopay, notifyAutopay, type AutopayNotice } from './autopay-sql.ts'
import { insertPendingPayment } from './pending-payment.ts'
import { supplierProviderAccount } from './provider-accounts.ts'
import type { PaymentStatus } from './rules.ts'

export const SCHEDULE_AUTOPAY_TASK = 'autopay:schedule'
export const CHARGE_AUTOPAY_TASK = 'autopay:charge'

declare module 'fastify' {
  interface FastifyInstance {
    autopay: ReturnType<typeof createAutopayService>
  }
}

interface AutopayRow {
  id: string
  accountId: string
  userId: string
  provider: string
  status: AutopayView['status']
  monthlyLimit: string
  consentText: string
  consentAt: Date
  bindingPaymentId: string | null
  cardMask: string | null
  cardExpires: string | null
  activatedAt: Date | null
  endedAt: Date | null
  endReason: string | null
  paymentStatus: PaymentStatus | null
  paymentAmount: string | null
  confirmationUrl: string | null
}

const AUTOPAY_COLUMNS = `a.id, a."accountId", a."userId", a.provider, a.status::text AS status, a."monthlyLimit"::text AS "monthlyLimit", a."consentText",
  a."consentAt", a."bindingPaymentId", a."cardMask", a."cardExpires", a."activatedAt", a."endedAt", a."endReason",
  p.status::text AS "paymentStatus", p.amount::text AS "paymentAmount", p."confirmationUrl"`

const LIVE = `a.status IN ('awaiting_card', 'active')`

/** Locks the account's live autopay (awaiting_card or active), then reads it. */
async function lockLive(tx: Tx, accountId: string): Promise<{ id: string; userId: string; status: string } | undefined> {
  await tx.sql`SELECT 1 FROM autopay a WHERE a."accountId" = ${accountId}::uuid AND ${Prisma.raw(LIVE)} FOR UPDATE`
  const [live] = await tx.sql<{ id: string; userId: string; status: string }>`
    SELECT id, "userId", status::text AS status FROM autopay a WHERE a."accountId" = ${accountId}::uuid AND ${Prisma.raw(LIVE)}`
  return live
}

const autopayNotFound = () => new NotFoundError('autopay_not_found', 'This account has no autopay.')

function createAutopayService(app: FastifyInstance) {
  const { config } = app

  /** The account's autopay: the live one, else the latest that ended. */
  async function latest(db: Tx, accountId: string): Promise<AutopayRow | undefined> {
    const [row] = await db.query<AutopayRow>(
      `SELECT ${AUTOPAY_COLUMNS} FROM autopay a LEFT JOIN payment p ON p.id = a."bindingPaymentId"
       WHERE a."accountId" = $1::uuid ORDER BY (${LIVE}) DESC, a."createdAt" DESC, a.id DESC LIMIT 1`,
      [accountId],
    )
    return row
  }

  async function viewOf(caller: Caller, row: AutopayRow): Promise<AutopayView> {
    const charges = await app.db.query<AutopayChargeView & { chargeAt: Date }>(
      `SELECT c.id, c."invoiceId", to_char(i.period, 'YYYY-MM') AS period, c.status::text AS status, c."plannedAmount"::text AS "plannedAmount",
              c.amount::text AS amount, c."chargeAt", c."paymentId", c.reason
       FROM autopay_charge c JOIN invoice i ON i.id = c."invoiceId"
       WHERE c."autopayId" = $1::uuid ORDER BY c."chargeAt" DESC, c.id DESC LIMIT 12`,
      [row.id],
    )
    const yours = row.userId === caller.userId
    return {
      id: row.id,
      accountId: row.accountId,
      status: row.status,
      provider: row.provider,
      monthlyLimit: row.monthlyLimit,
      yours,
      card: yours && row.cardMask !== null ? { mask: row.cardMask, expires: row.cardExpires } : null,
      consentText: row.consentText,
      consentAt: row.consentAt.toISOString(),
      firstPayment:
        row.bindingPaymentId && row.paymentStatus && row.paymentAmount
          ? {
              id: row.bindingPaymentId,
              status: row.paymentStatus,
              amount: row.paymentAmount,
              confirmationUrl: row.paymentStatus === 'pending' && yours ? row.confirmationUrl : null,
            }
          : null,
      activatedAt: row.activatedAt?.toISOString() ?? null,
      endedAt: row.endedAt?.toISOString() ?? null,
      endReason: row.endReason,
      charges: charges.map((c) => ({ ...c, chargeAt: c.chargeAt.toISOString() })),
    }
  }

  return {
    async get(caller: Caller, accountId: string): Promise<AutopayView> {
      const account = await app.accounts.findVisible(caller, accountId)
      const row = await latest(app.db, account.id)
      if (!row) throw autopayNotFound()
      return viewOf(caller, row)
    },

    /**
     * Sets up autopay: the consent, and a first payment on the provider's page that saves the
     * card (T-Bank Recurrent, CloudPayments' token). The autopay waits for that payment: its
     * success with a saved card activates it (autopay-sql.ts). One live autopay per account,
     * held by a unique index; the caller's own unfinished setup is replaced.
     */
    async setUp(context: AuditContext, accountId: string, input: AutopaySetup): Promise<AutopayView> {
      const { caller } = context
      const account = await app.accounts.findVisible(caller, accountId)
      if (!input.consent) throw new UnprocessableError('autopay_consent_required', 'Autopay charges a card without the customer present: it needs their consent (consent: true).')
      const limit = toKopecks(input.monthlyLimit)
      const amount = input.amount ? toKopecks(input.amount) : bindingAmount(toKopecks((await balances(app.db, [account.id])).get(account.id)!.toPay))
      const text = consentText(account.number, account.supplier.shortName, limit)
      await app.payments.startOnline(caller, account, { amount, returnUrl: input.returnUrl }, {
        saveCard: true,
        within: async (tx, payment) => {
          const live = await lockLive(tx, account.id)
          if (live && !(live.userId === caller.userId && live.status === 'awaiting_card')) {
            throw new ConflictError('autopay_exists', 'This account already has an autopay; cancel it first (DELETE …/autopay).')
          }
          if (live) await endAutopay(tx, live.id, { status: 'canceled', reason: 'replaced', at: payment.now })
          const autopayId = uuidv7(payment.now.getTime())
          try {
            await tx.sql`
              INSERT INTO autopay (id, "accountId", "userId", provider, status, "monthlyLimit", "consentText", "consentAt", "consentIp", "bindingPaymentId", "createdAt", "updatedAt")
              VALUES (${autopayId}::uuid, ${account.id}::uuid, ${caller.userId}::uuid, ${payment.provider.name}, 'awaiting_card', ${formatKopecks(limit)}::numeric,
                      ${text}, ${payment.now}, ${context.ip}, ${payment.id}::uuid, ${payment.now}, ${payment.now})`
          } catch (error) {
            if (isUniqueViolation(error, 'autopay_one_per_account')) throw new ConflictError('autopay_exists', 'This account already has an autopay; cancel it first (DELETE …/autopay).')
            throw error
          }
          await app.audit.record(tx, context, {
            supplierId: account.supplierId,
            entity: 'autopay',
            entityId: autopayId,
            action: 'set_up',
            after: { monthlyLimit: formatKopecks(limit), provider: payment.provider.name, firstPaymentId: payment.id },
          })
          return { autopayId }
        },
      })
      return viewOf(caller, (await latest(app.db, account.id))!)
    },

    /** Cancels the live autopay: by whoever set it up, or an operator of the supplier. Charges not yet taken are canceled with it. */
    async cancel(context: AuditContext, accountId: string): Promise<AutopayView> {
      const { caller } = context
      const account = await app.accounts.findVisible(caller, accountId)
      const now = config.clock.now()
      await app.transaction(async (tx) => {
        const live = await lockLive(tx, account.id)
        if (!live) throw autopayNotFound()
        const byStaff = caller.role === 'operator' || caller.role === 'admin'
        if (!byStaff && live.userId !== caller.userId) throw new ForbiddenError('autopay_not_yours', 'Only whoever set up this autopay (it charges their card) or the supplier can cancel it.')
        const reason = byStaff ? 'canceled_by_operator' : 'canceled_by_customer'
        await endAutopay(tx, live.id, { status: 'canceled', reason, at: now })
        await tx.sql`UPDATE autopay_charge SET status = 'canceled', reason = ${reason}, "updatedAt" = ${now} WHERE "autopayId" = ${live.id}::uuid AND status = 'scheduled'`
        await app.audit.record(tx, context, { supplierId: account.supplierId, entity: 'autopay', entityId: live.id, action: 'cancel', before: { status: live.status }, after: { status: 'canceled', reason } })
      })
      return viewOf(caller, (await latest(app.db, account.id))!)
    },
  }
}

interface ChargeRow {
  chargeId: string
  chargeStatus: string
  chargeAt: Date
  autopayId: string
  autopayStatus: string
  userId: string
  provider: string
  monthlyLimit: string
  bindingPaymentId: string
  cardToken: string | null
  cardMask: string | null
  cardExpires: string | null
  accountId: string
  accountNumber: string
  supplierId: string
  timeZone: string
  period: string
  ownerLinked: boolean
}

/** The mail a notice becomes, with its recipient (the autopay's owner); null when there is no one to tell. */
async function noticeMail(app: FastifyInstance, tx: Tx, notice: AutopayNotice): Promise<MailInput | null> {
  const [row] = await tx.sql<{
    email: string | null
    surname: string
    givenNames: string | null
    accountId: string
    accountNumber: string
    supplier: string
    timeZone: string
    monthlyLimit: string
    cardMask: string | null
    period: string | null
    amount: string | null
    plannedAmount: string | null
    chargeAt: Date | null
    reason: string | null
  }>`
    SELECT u.email, u.surname, u."givenNames", acc.id AS "accountId", acc.number AS "accountNumber", s."shortName" AS supplier, s."timeZone",
           a."monthlyLimit"::text AS "monthlyLimit", a."cardMask", to_char(i.period, 'YYYY-MM') AS period, c.amount::text AS amount,
           c."plannedAmount"::text AS "plannedAmount", c."chargeAt", c.reason
    FROM autopay a
    JOIN "user" u ON u.id = a."userId"
    JOIN account acc ON acc.id = a."accountId"
    JOIN supplier s ON s.id = acc."supplierId"
    LEFT JOIN autopay_charge c ON c.id = ${'chargeId' in notice ? notice.chargeId : null}::uuid
    LEFT JOIN invoice i ON i.id = c."invoiceId"
    WHERE a.id = COALESCE(${'autopayId' in notice ? notice.autopayId : null}::uuid, c."autopayId")`
  if (!row?.email) return null
  const base = { to: row.email, name: holderName({ holderSurname: row.surname, holderGivenNames: row.givenNames }), account: row.accountNumber }
  const link = `${app.config.publicWebUrl}/accounts/${row.accountId}/autopay`
  const period = row.period ? periodName(row.period) : ''
  const card = row.cardMask ?? 'сохранённая карта'
  switch (notice.kind) {
    case 'activated':
      return { template: 'autopay_activated', ...base, supplier: row.supplier, card, limit: rubles(row.monthlyLimit), link }
    case 'card_not_saved':
      return { template: 'autopay_card_not_saved', ...base, link }
    case 'charged': {
      const owed = toKopecks((await balances(tx, [row.accountId])).get(row.accountId)!.toPay)
      return {
        template: 'autopay_charged',
        ...base,
        period,
        amount: rubles(row.amount ?? '0'),
        card,
        note: owed > 0n ? `Осталось оплатить по лицевому счёту: ${rubles(owed)}.` : null,
        link: `${app.config.publicWebUrl}/accounts/${row.accountId}/payments`,
      }
    }
    case 'declined':
      return { template: 'autopay_declined', ...base, period, amount: rubles(row.amount ?? '0'), reason: row.reason ?? 'причина не указана', link }
    case 'skipped':
      return {
        template: 'autopay_skipped',
        ...base,
        period,
        reason: row.reason === 'limit_reached' ? 'месячный лимит автоплатежа уже исчерпан, оплатите квитанцию сами' : 'к оплате ничего нет, квитанция уже оплачена',
        link: `${app.config.publicWebUrl}/accounts/${row.accountId}`,
      }
  }
}

/**
 * Autopay's jobs. Issuing a period's receipts queues `autopay:schedule`, which announces one
 * charge per active autopay and receipt (unique per pair: a repeat announces nothing) and queues
 * its `autopay:charge` for AUTOPAY_NOTICE_HOURS later. The charge takes what is owed then, up to
 * what is left of the month's limit, as a pending payment committed before the provider is asked:
 * whatever the provider answers, or never answers, settles it through the payment state machine.
 */
export default fp(
  async function autopay(app: FastifyInstance) {
    const { config } = app
    app.decorate('autopay', createAutopayService(app))

    app.jobs.define(SCHEDULE_AUTOPAY_TASK, async (payload) => {
      const supplierId = String(payload.supplierId)
      const period = String(payload.period)
      const now = config.clock.now()
      const noticeMs = config.payments.autopayNoticeHours * 3_600_000
      const chargeAt = new Date(now.getTime() + noticeMs)
      await app.transaction(async (tx) => {
        const newId = Prisma.raw(await newIdFunction(tx))
        const scheduled = await tx.sql<{
          id: string
          email: string | null
          surname: string
          givenNames: string | null
          accountId: string
          accountNumber: string
          timeZone: string
          plannedAmount: string
          totalDue: string
        }>`
          WITH scheduled AS (
            INSERT INTO autopay_charge (id, "autopayId", "invoiceId", status, "plannedAmount", "chargeAt", "createdAt", "updatedAt")
            SELECT ${newId}, a.id, i.id, 'scheduled', LEAST(i."totalDue", a."monthlyLimit"), ${chargeAt}, ${now}, ${now}
            FROM invoice i JOIN autopay a ON a."accountId" = i."accountId" AND a.status = 'active'
              JOIN user_account ua ON ua."userId" = a."userId" AND ua."accountId" = a."accountId"
            WHERE i."supplierId" = ${supplierId}::uuid AND i.period = ${`${period}-01`}::date AND i."totalDue" > 0
            ON CONFLICT ("autopayId", "invoiceId") DO NOTHING
            RETURNING id, "autopayId", "invoiceId", "plannedAmount"),
          queued AS (
            SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
              SELECT ROW(${CHARGE_AUTOPAY_TASK}::text, json_build_object('chargeId', id), NULL, now() + ${noticeMs}::int * interval '1 millisecond',
                         NULL, 'autopay:charge:' || id, NULL, NULL)::graphile_worker.job_spec FROM scheduled)))
          SELECT sc.id, u.email, u.surname, u."givenNames", acc.id AS "accountId", acc.number AS "accountNumber", s."timeZone",
                 sc."plannedAmount"::text AS "plannedAmount", i."totalDue"::text AS "totalDue"
          FROM scheduled sc CROSS JOIN queued
          JOIN autopay a ON a.id = sc."autopayId" JOIN "user" u ON u.id = a."userId"
          JOIN invoice i ON i.id = sc."invoiceId" JOIN account acc ON acc.id = i."accountId" JOIN supplier s ON s.id = acc."supplierId"`
        await app.mail.enqueueMany(
          tx,
          scheduled
            .filter((r) => r.email)
            .map((r) => ({
              mail: {
                template: 'autopay_planned' as const,
                to: r.email!,
                name: holderName({ holderSurname: r.surname, holderGivenNames: r.givenNames }),
                account: r.accountNumber,
                period: periodName(period),
                amount: rubles(r.plannedAmount),
                note: r.plannedAmount !== r.totalDue ? `К оплате по квитанции ${rubles(r.totalDue)}: это больше месячного лимита автоплатежа, остаток оплатите сами.` : null,
                chargeAt: formatLocalTime(chargeAt, r.timeZone),
                link: `${config.publicWebUrl}/accounts/${r.accountId}/autopay`,
              },
            })),
        )
      })
    })

    app.jobs.define(CHARGE_AUTOPAY_TASK, async (payload) => {
      const chargeId = String(payload.chargeId)
      const now = config.clock.now()
      const prepared = await app.transaction(async (tx) => {
        // The autopay first, then its charge: the order every autopay writer locks in.
        await tx.sql`SELECT 1 FROM autopay WHERE id = (SELECT "autopayId" FROM autopay_charge WHERE id = ${chargeId}::uuid) FOR UPDATE`
        await tx.sql`SELECT 1 FROM autopay_charge WHERE id = ${chargeId}::uuid FOR UPDATE`
        const [c] = await tx.sql<ChargeRow>`
          SELECT c.id AS "chargeId", c.status::text AS "chargeStatus", c."chargeAt", a.id AS "autopayId", a.status::text AS "autopayStatus", a."userId", a.provider,
                 a."monthlyLimit"::text AS "monthlyLimit", a."bindingPaymentId", a."cardToken", a."cardMask", a."cardExpires",
                 acc.id AS "accountId", acc.number AS "accountNumber", acc."supplierId", s."timeZone", to_char(i.period, 'YYYY-MM') AS period,
                 EXISTS (SELECT 1 FROM user_account ua WHERE ua."userId" = a."userId" AND ua."accountId" = a."accountId") AS "ownerLinked"
          FROM autopay_charge c JOIN autopay a ON a.id = c."autopayId" JOIN account acc ON acc.id = a."accountId"
          JOIN supplier s ON s.id = acc."supplierId" JOIN invoice i ON i.id = c."invoiceId"
          WHERE c.id = ${chargeId}::uuid`
        if (!c || c.chargeStatus !== 'scheduled') return null
        // The clock decides, not the queue: a job that ran early waits again for what is left.
        const left = c.chargeAt.getTime() - now.getTime()
        if (left > 0) {
          await addJob(tx, { task: CHARGE_AUTOPAY_TASK, payload: { chargeId }, delayMs: left })
          return null
        }
        // Whoever set it up unlinked the account (or deleted their profile): their card no longer pays it.
        let autopayStatus = c.autopayStatus
        if (autopayStatus === 'active' && !c.ownerLinked) {
          await endAutopay(tx, c.autopayId, { status: 'canceled', reason: 'owner_unlinked', at: now })
          autopayStatus = 'canceled'
        }
        if (autopayStatus !== 'active') {
          await tx.sql`UPDATE autopay_charge SET status = 'canceled', reason = ${`autopay_${autopayStatus}`}, "updatedAt" = ${now} WHERE id = ${chargeId}::uuid`
          return null
        }
        const { toPay } = (await balances(tx, [c.accountId])).get(c.accountId)!
        const [month] = await tx.sql<{ charged: string }>`
          SELECT COALESCE(sum(amount), 0)::text AS charged FROM autopay_charge
          WHERE "autopayId" = ${c.autopayId}::uuid AND status IN ('charging', 'succeeded')
            AND date_trunc('month', "chargeAt" AT TIME ZONE ${c.timeZone}) = date_trunc('month', ${now}::timestamptz AT TIME ZONE ${c.timeZone})`
        const decision = autopayAmount(toKopecks(toPay), toKopecks(c.monthlyLimit), toKopecks(month!.charged))
        if (decision.kind === 'skip') {
          await tx.sql`UPDATE autopay_charge SET status = 'skipped', reason = ${decision.reason}, "updatedAt" = ${now} WHERE id = ${chargeId}::uuid`
          await notifyAutopay(tx, { kind: 'skipped', chargeId })
          return null
        }
        const paymentId = uuidv7(now.getTime())
        const expiresAt = new Date(now.getTime() + config.payments.pendingTtlMin * 60_000)
        await insertPendingPayment(tx, {
          id: paymentId,
          accountId: c.accountId,
          amount: decision.amount,
          provider: c.provider,
          userId: c.userId,
          returnUrl: null,
          now,
          expiresAt,
          actor: 'system',
          autopayId: c.autopayId,
        })
        await tx.sql`
          UPDATE autopay_charge SET status = 'charging', "paymentId" = ${paymentId}::uuid, amount = ${formatKopecks(decision.amount)}::numeric, "updatedAt" = ${now}
          WHERE id = ${chargeId}::uuid`
        return { ...c, paymentId, amount: decision.amount }
      })
      if (!prepared) return
      const provider = app.payments.providers.get(prepared.provider)
      const account = prepared.provider === 'sandbox' ? null : await supplierProviderAccount(app.db, app.payments.secretBox, prepared.supplierId)
      if (!provider?.charge || (prepared.provider !== 'sandbox' && account?.provider !== prepared.provider)) {
        // The supplier moved to another provider (or away): the card saved at the old one cannot be charged there.
        await app.payments.failPayment(prepared.paymentId, 'provider_changed')
        return
      }
      const card = { token: app.payments.secretBox.open(prepared.cardToken!, cardContext(prepared.bindingPaymentId)), mask: prepared.cardMask, expires: prepared.cardExpires }
      let charged: Awaited<ReturnType<NonNullable<typeof provider.charge>>>
      try {
        charged = await provider.charge({
          paymentId: prepared.paymentId,
          amount: prepared.amount,
          description: `Автоплатёж по лицевому счёту ${prepared.accountNumber} за ${periodName(prepared.period)}`,
          accountNumber: prepared.accountNumber,
          notificationUrl: app.payments.notificationUrl(provider),
          card,
          customerKey: prepared.userId,
          credentials: account?.credentials ?? null,
        })
      } catch (error) {
        // No answer: the charge may have happened. Its notification settles the payment, or expiry cancels it (and stops the autopay).
        app.log.warn({ err: error, paymentId: prepared.paymentId, provider: provider.name }, 'payment provider did not answer an autopay charge')
        return
      }
      if (charged.externalId) {
        await app.db.sql`UPDATE payment SET "externalId" = COALESCE("externalId", ${charged.externalId}) WHERE id = ${prepared.paymentId}::uuid`
      }
      if (charged.outcome === 'declined') await app.payments.failPayment(prepared.paymentId, charged.reason)
    })

    app.jobs.define(AUTOPAY_NOTIFY_TASK, async (payload) => {
      const notice = payload as unknown as AutopayNotice
      await app.transaction(async (tx) => {
        const mail = await noticeMail(app, tx, notice)
        if (mail) await app.mail.enqueue(tx, mail)
      })
    })
  },
  { name: 'autopay', dependencies: ['payments', 'jobs', 'mail'] },
)
