import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { Caller } from '../access/guard.ts'
import { listedSupplier } from '../access/scope.ts'
import { visibleAccountSql } from '../access/visibility.ts'
import type { AuditContext } from '../audit/audit.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { ConflictError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import { DEFAULT_PAGE_SIZE } from '../common/schemas.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { Tx } from '../db/transaction.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { formatLocalTime } from '../mail/templates.ts'
import { emitEvents } from '../webhooks/events.ts'
import { ticketEvent } from '../webhooks/payloads.ts'
import { calendarOf } from './calendar.ts'
import { decideTransition, statusAfterCustomerMessage, type TicketStatus } from './rules.ts'
import type { TicketAttachment as AttachmentSchema, TicketCreate, TicketCustomerUpdate, TicketListQuery, TicketQueueQuery, TicketReply, TicketStaffMessage, TicketStaffUpdate } from './schemas.ts'
import { deadline } from './sla.ts'
import { ticketNotices } from './notices.ts'
import { receiveUploads } from './uploads.ts'
import { OPEN_SQL, TICKET_FROM, overdueSql, summaryOf, ticketColumns, ticketOf, type MessageRow, type TicketRow } from './views.ts'

type AttachmentView = Static<typeof AttachmentSchema>

const notFound = () => new NotFoundError('ticket_not_found', 'No such ticket among yours.')
const isStaff = (caller: Caller) => caller.role === 'operator' || caller.role === 'admin'

export function createTicketService(app: FastifyInstance) {
  const clock = app.config.clock
  const { attachmentMaxBytes, attachmentMaxFiles, reopenDays, tmpDir } = app.config.tickets
  const notices = ticketNotices(app)

  async function one(db: Tx, id: string): Promise<TicketRow | undefined> {
    const [row] = await db.sql<TicketRow>`SELECT ${ticketColumns(clock.now())} FROM ${TICKET_FROM} WHERE t.id = ${id}::uuid`
    return row
  }

  /** The ticket if the caller may see it: its author; the supplier's operators; admins. Others: not found. */
  async function visible(db: Tx, caller: Caller, id: string, lock = false): Promise<TicketRow> {
    // Locked in one statement, read in the next (READ COMMITTED: the locking one's snapshot is older).
    if (lock) await db.sql`SELECT 1 FROM ticket WHERE id = ${id}::uuid FOR UPDATE`
    const row = await one(db, id)
    if (!row) throw notFound()
    const allowed = caller.role === 'admin' || (caller.role === 'operator' ? caller.supplierId === row.supplierId : row.authorId === caller.userId)
    if (!allowed) throw notFound()
    return row
  }

  async function messagesOf(db: Tx, ticketId: string, withInternal: boolean): Promise<MessageRow[]> {
    return db.sql<MessageRow>`
      SELECT m.id, m."authorRole", CASE WHEN u.id IS NULL THEN NULL ELSE concat_ws(' ', u."givenNames", u.surname) END AS "authorName",
        m.internal, m.text, m."createdAt",
        COALESCE((SELECT json_agg(json_build_object('id', f.id, 'fileName', f."fileName", 'contentType', f."contentType", 'bytes', f.bytes) ORDER BY f."createdAt", f.id)
                  FROM ticket_attachment f WHERE f."messageId" = m.id), '[]') AS attachments
      FROM ticket_message m LEFT JOIN "user" u ON u.id = m."authorId"
      WHERE m."ticketId" = ${ticketId}::uuid AND (${withInternal} OR NOT m.internal)
      ORDER BY m."createdAt", m.id`
  }

  /** The caller's own unattached uploads become the message's files; anything else is refused whole. */
  async function attach(tx: Tx, caller: Caller, ticketId: string, messageId: string, ids: string[] = []): Promise<void> {
    if (ids.length === 0) return
    if (ids.length > attachmentMaxFiles) throw new UnprocessableError('too_many_attachments', `At most ${attachmentMaxFiles} files per message.`)
    const taken = await tx.sql<{ id: string }>`
      UPDATE ticket_attachment SET "ticketId" = ${ticketId}::uuid, "messageId" = ${messageId}::uuid
      WHERE id = ANY (${ids}::uuid[]) AND "uploaderId" = ${caller.userId}::uuid AND "ticketId" IS NULL RETURNING id`
    if (taken.length !== ids.length) {
      throw new UnprocessableError('attachment_not_found', 'An attachment is not one of your uploads, or belongs to a message already.', {
        errors: [{ in: 'body', pointer: '#/attachmentIds', detail: 'Upload the file first (POST /v1/ticket-attachments); each is attached once.' }],
      })
    }
  }

  async function addMessage(tx: Tx, ticketId: string, author: { id: string | null; role: 'customer' | 'operator' | 'system' }, text: string, internal: boolean, at: Date) {
    const id = uuidv7()
    await tx.sql`
      INSERT INTO ticket_message (id, "ticketId", "authorId", "authorRole", internal, text, "createdAt")
      VALUES (${id}::uuid, ${ticketId}::uuid, ${author.id}::uuid, ${author.role}, ${internal}, ${text}, ${at})`
    if (!internal) await tx.sql`UPDATE ticket SET "lastMessageAt" = ${at}, "updatedAt" = ${at} WHERE id = ${ticketId}::uuid`
    return id
  }

  /** One status change: the table decides; the dates follow; deadlines stay as they were set. */
  async function move(tx: Tx, ticket: TicketRow, to: TicketStatus, actor: 'customer' | 'staff', at: Date): Promise<void> {
    if (ticket.status === to) return
    const verdict = decideTransition(ticket.status, to, actor, { now: at, resolvedAt: ticket.resolvedAt, closedAt: ticket.closedAt, reopenWindowMs: reopenDays * 86_400_000 })
    if (!verdict.ok) throw new ConflictError(verdict.code, verdict.detail)
    await tx.sql`
      UPDATE ticket SET status = ${to}::"TicketStatus", "updatedAt" = ${at},
        "resolvedAt" = CASE WHEN ${to} = 'resolved' THEN ${at}::timestamptz WHEN ${verdict.reopen} THEN NULL ELSE "resolvedAt" END,
        "closedAt" = CASE WHEN ${to} = 'closed' THEN ${at}::timestamptz WHEN ${verdict.reopen} THEN NULL ELSE "closedAt" END,
        "reopenCount" = "reopenCount" + CASE WHEN ${verdict.reopen} THEN 1 ELSE 0 END
      WHERE id = ${ticket.id}::uuid`
  }

  async function changed(tx: Tx, ticketId: string, changes: string[], at: Date) {
    await emitEvents(tx, 'ticket.updated', at, ticketEvent(ticketId, changes))
  }

  async function view(db: Tx, caller: Caller, id: string) {
    const row = await visible(db, caller, id)
    return ticketOf(row, await messagesOf(db, id, isStaff(caller)))
  }

  return {
    view,

    /** Files first (streamed, typed by their bytes), attached to a message after. */
    async upload(request: FastifyRequest, caller: Caller) {
      const files = await receiveUploads(request, { maxBytes: attachmentMaxBytes, maxFiles: attachmentMaxFiles, tmpDir }, app.storage, (id) => `ticket-attachments/${caller.userId}/${id}`)
      try {
        await app.db.sql`
          INSERT INTO ticket_attachment (id, "uploaderId", "fileName", "contentType", bytes, "storageKey", "createdAt")
          SELECT * FROM unnest(${files.map((f) => f.id)}::uuid[], ${files.map(() => caller.userId)}::uuid[], ${files.map((f) => f.fileName)}::text[],
            ${files.map((f) => f.contentType)}::text[], ${files.map((f) => f.bytes)}::int[], ${files.map((f) => f.storageKey)}::text[],
            ${files.map(() => clock.now())}::timestamptz[])`
      } catch (error) {
        await Promise.all(files.map((f) => app.storage.delete(f.storageKey).catch(() => {})))
        throw error
      }
      return { items: files.map(({ id, fileName, contentType, bytes }) => ({ id, fileName, contentType: contentType as AttachmentView['contentType'], bytes })) }
    },

    async open(context: AuditContext, input: TicketCreate) {
      const { caller } = context
      const now = clock.now()
      const id = uuidv7()
      return app.transaction(async (tx) => {
        const [category] = await tx.sql<{ id: string; firstResponseMinutes: number; resolutionMinutes: number; emergency: boolean }>`
          SELECT id, "firstResponseMinutes", "resolutionMinutes", emergency FROM ticket_category
          WHERE id = ${input.categoryId}::uuid AND "supplierId" = ${input.supplierId}::uuid AND active`
        if (!category) {
          throw new UnprocessableError('ticket_category_not_found', 'No such category at this supplier.', { errors: [{ in: 'body', pointer: '#/categoryId', detail: 'GET /v1/suppliers/{id}/ticket-categories lists them.' }] })
        }
        if (input.accountId) {
          const [account] = await tx.sql<{ id: string }>`
            SELECT a.id FROM account a WHERE a.id = ${input.accountId}::uuid AND a."supplierId" = ${input.supplierId}::uuid AND ${visibleAccountSql(caller, 'a')}`
          if (!account) throw new UnprocessableError('account_not_found', 'No such account of this supplier among yours.', { errors: [{ in: 'body', pointer: '#/accountId', detail: 'Link it first.' }] })
        }
        const calendar = await calendarOf(tx, input.supplierId, now)
        const firstDue = deadline(now, category.firstResponseMinutes, calendar, category.emergency)
        const resolutionDue = deadline(now, category.resolutionMinutes, calendar, category.emergency)
        // The supplier's counter row is locked until commit: numbers follow one another without gaps.
        const [counter] = await tx.sql<{ last: number }>`
          INSERT INTO ticket_counter ("supplierId", last) VALUES (${input.supplierId}::uuid, 1)
          ON CONFLICT ("supplierId") DO UPDATE SET last = ticket_counter.last + 1 RETURNING last`
        await tx.sql`
          INSERT INTO ticket (id, number, "supplierId", "categoryId", "accountId", "authorId", subject, "firstResponseDueAt", "resolutionDueAt", "lastMessageAt", "createdAt", "updatedAt")
          VALUES (${id}::uuid, ${counter!.last}, ${input.supplierId}::uuid, ${category.id}::uuid, ${input.accountId ?? null}::uuid, ${caller.userId}::uuid,
                  ${input.subject}, ${firstDue}, ${resolutionDue}, ${now}, ${now}, ${now})`
        const messageId = await addMessage(tx, id, { id: caller.userId, role: 'customer' }, input.text, false, now)
        await attach(tx, caller, id, messageId, input.attachmentIds)
        await emitEvents(tx, 'ticket.created', now, ticketEvent(id, []))
        const row = (await one(tx, id))!
        if (category.emergency) await notices.toStaff(tx, row, 'новое аварийное обращение')
        return ticketOf(row, await messagesOf(tx, id, false))
      })
    },

    async mine(caller: Caller, query: TicketListQuery) {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? String(decodeCursor(query.cursor, ['string'])[0]) : null
      const rows = await app.db.sql<TicketRow>`
        SELECT ${ticketColumns(clock.now())} FROM ${TICKET_FROM}
        WHERE t."authorId" = ${caller.userId}::uuid AND (${query.status ?? null}::text IS NULL OR t.status::text = ${query.status ?? null}::text)
          AND (${after}::uuid IS NULL OR t.id < ${after}::uuid)
        ORDER BY t.id DESC LIMIT ${limit + 1}`
      return pageOf(rows, limit, (r) => [r.id], summaryOf)
    },

    async reply(context: AuditContext, id: string, input: TicketReply) {
      const now = clock.now()
      return app.transaction(async (tx) => {
        const ticket = await visible(tx, context.caller, id, true)
        const next = statusAfterCustomerMessage(ticket.status)
        if (next === 'refused') throw new ConflictError('ticket_closed', 'The ticket is resolved or closed: reopen it to write (PATCH with status in_progress), or open a new one.')
        const messageId = await addMessage(tx, id, { id: context.caller.userId, role: 'customer' }, input.text, false, now)
        await attach(tx, context.caller, id, messageId, input.attachmentIds)
        if (next !== ticket.status) await move(tx, ticket, next, 'customer', now)
        await changed(tx, id, next !== ticket.status ? ['message', 'status'] : ['message'], now)
        await notices.toStaff(tx, ticket, 'новое сообщение клиента')
        return ticketOf((await one(tx, id))!, await messagesOf(tx, id, false))
      })
    },

    async customerUpdate(context: AuditContext, id: string, input: TicketCustomerUpdate) {
      const now = clock.now()
      return app.transaction(async (tx) => {
        const ticket = await visible(tx, context.caller, id, true)
        const changes: string[] = []
        if (input.status) {
          await move(tx, ticket, input.status, 'customer', now)
          await addMessage(tx, id, { id: null, role: 'system' }, input.status === 'closed' ? 'Клиент закрыл обращение.' : 'Клиент вновь открыл обращение.', false, now)
          if (input.status === 'in_progress') await notices.toStaff(tx, ticket, 'клиент вновь открыл обращение')
          changes.push('status')
        }
        if (input.rating !== undefined || input.ratingComment !== undefined) {
          const [current] = await tx.sql<{ status: TicketStatus }>`SELECT status::text AS status FROM ticket WHERE id = ${id}::uuid`
          if (current!.status !== 'resolved' && current!.status !== 'closed') throw new ConflictError('ticket_not_resolved', 'A ticket is rated once it is resolved.')
          if (input.rating === undefined && ticket.rating === null) {
            throw new UnprocessableError('rating_required', 'Give a rating (1 to 5) with the comment.', { errors: [{ in: 'body', pointer: '#/rating', detail: 'Required with ratingComment.' }] })
          }
          await tx.sql`
            UPDATE ticket SET rating = COALESCE(${input.rating ?? null}::smallint, rating), "ratingComment" = COALESCE(${input.ratingComment ?? null}, "ratingComment"), "updatedAt" = ${now}
            WHERE id = ${id}::uuid`
          changes.push('rating')
        }
        await changed(tx, id, changes, now)
        return ticketOf((await one(tx, id))!, await messagesOf(tx, id, false))
      })
    },

    /**
     * The queue of the caller's supplier (admins: any, or one): overdue first, then by resolution
     * deadline. Read in ordered slices the partial indexes give without sorting the whole queue:
     * open tickets past their resolution deadline; open unanswered ones past their first-answer
     * deadline (few); then the rest from the resolution deadline on.
     */
    async queue(caller: Caller, query: TicketQueueQuery) {
      const supplierId = await listedSupplier(app, caller, query.supplierId)
      const now = clock.now()
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const after = query.cursor ? (decodeCursor(query.cursor, ['number', 'string', 'string']) as [number, string, string]) : null
      const filters: Prisma.Sql[] = []
      if (supplierId) filters.push(Prisma.sql`t."supplierId" = ${supplierId}::uuid`)
      if (query.status) filters.push(Prisma.sql`t.status = ${query.status}::"TicketStatus"`)
      if (query.open !== undefined) filters.push(query.open ? OPEN_SQL : Prisma.sql`NOT ${OPEN_SQL}`)
      if (query.categoryId) filters.push(Prisma.sql`t."categoryId" = ${query.categoryId}::uuid`)
      if (query.assigneeId === 'none') filters.push(Prisma.sql`t."assigneeId" IS NULL`)
      else if (query.assigneeId) filters.push(Prisma.sql`t."assigneeId" = ${query.assigneeId}::uuid`)
      if (query.olderThanHours !== undefined) filters.push(Prisma.sql`t."createdAt" <= ${new Date(now.getTime() - query.olderThanHours * 3_600_000)}::timestamptz`)
      const where = (...more: Prisma.Sql[]) => Prisma.join([...filters, ...more], ' AND ')
      const pastResolution = Prisma.sql`${OPEN_SQL} AND t."resolutionDueAt" < ${now}::timestamptz`
      const pastFirstAnswer = Prisma.sql`${OPEN_SQL} AND t."firstRespondedAt" IS NULL AND t."firstResponseDueAt" < ${now}::timestamptz AND t."resolutionDueAt" >= ${now}::timestamptz`
      const notOverdue = Prisma.sql`NOT COALESCE(${overdueSql(now)}, false)`
      const from = (rank: number) =>
        after && after[0] === rank ? Prisma.sql`(t."resolutionDueAt", t.id) > (${after[1]}::timestamptz, ${after[2]}::uuid)` : Prisma.sql`true`
      const slice = (condition: Prisma.Sql, rank: number) =>
        app.db.sql<{ id: string; due: Date }>`
          SELECT t.id, t."resolutionDueAt" AS due FROM ticket t WHERE ${where(condition, from(rank))} ORDER BY t."resolutionDueAt", t.id LIMIT ${limit + 1}`
      const byDue = (a: { id: string; due: Date }, b: { id: string; due: Date }) => a.due.getTime() - b.due.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
      let page: { id: string; due: Date; rank: number }[] = []
      if (query.overdue !== false && (!after || after[0] === 1)) {
        const [late, unanswered] = await Promise.all([slice(pastResolution, 1), slice(pastFirstAnswer, 1)])
        page = [...late, ...unanswered].sort(byDue).slice(0, limit + 1).map((r) => ({ ...r, rank: 1 }))
      }
      if (query.overdue !== true && page.length <= limit) {
        const rest = await slice(notOverdue, 0)
        page = [...page, ...rest.map((r) => ({ ...r, rank: 0 }))].slice(0, limit + 1)
      }
      const details = page.length
        ? await app.db.sql<TicketRow>`SELECT ${ticketColumns(now)} FROM ${TICKET_FROM} WHERE t.id = ANY (${page.map((r) => r.id)}::uuid[])`
        : []
      const byId = new Map(details.map((d) => [d.id, d]))
      const rows = page.map((r) => ({ ...byId.get(r.id)!, rank: r.rank }))
      return pageOf(rows, limit, (r) => [r.rank, r.resolutionDueAt.toISOString(), r.id], summaryOf)
    },

    async staffMessage(context: AuditContext, id: string, input: TicketStaffMessage) {
      const now = clock.now()
      const internal = input.internal ?? false
      return app.transaction(async (tx) => {
        const ticket = await visible(tx, context.caller, id, true)
        const messageId = await addMessage(tx, id, { id: context.caller.userId, role: 'operator' }, input.text, internal, now)
        await attach(tx, context.caller, id, messageId, input.attachmentIds)
        // The message is in the thread for ever; the log ties it to the request and address it came from.
        await app.audit.record(tx, context, {
          supplierId: ticket.supplierId,
          entity: 'ticket',
          entityId: id,
          action: internal ? 'internal_note' : 'answer',
          after: { messageId, status: input.status ?? null, attachments: input.attachmentIds?.length ?? 0 },
        })
        if (internal) {
          if (input.status) throw new UnprocessableError('internal_note_status', 'An internal note does not change the status; send the change on its own.')
          return ticketOf((await one(tx, id))!, await messagesOf(tx, id, true))
        }
        await tx.sql`UPDATE ticket SET "firstRespondedAt" = COALESCE("firstRespondedAt", ${now}) WHERE id = ${id}::uuid`
        const to = input.status ?? (ticket.status === 'new' ? 'in_progress' : ticket.status)
        await move(tx, ticket, to, 'staff', now)
        await changed(tx, id, to !== ticket.status ? ['answer', 'status'] : ['answer'], now)
        await notices.toCustomer(tx, ticket, { answer: input.text, status: to !== ticket.status ? to : undefined })
        return ticketOf((await one(tx, id))!, await messagesOf(tx, id, true))
      })
    },

    async staffUpdate(context: AuditContext, id: string, input: TicketStaffUpdate) {
      const now = clock.now()
      return app.transaction(async (tx) => {
        const ticket = await visible(tx, context.caller, id, true)
        const changes: string[] = []
        if (input.assigneeId !== undefined && input.assigneeId !== ticket.assigneeId) {
          if (input.assigneeId !== null) {
            const [assignee] = await tx.sql<{ id: string }>`
              SELECT id FROM "user" WHERE id = ${input.assigneeId}::uuid AND "deletedAt" IS NULL
                AND (role = 'admin' OR (role = 'operator' AND "supplierId" = ${ticket.supplierId}::uuid))`
            if (!assignee) {
              throw new UnprocessableError('assignee_not_operator', 'Only an operator of the ticket’s supplier (or an admin) can take it.', {
                errors: [{ in: 'body', pointer: '#/assigneeId', detail: 'Not an operator of this supplier.' }],
              })
            }
          }
          await tx.sql`UPDATE ticket SET "assigneeId" = ${input.assigneeId}::uuid, "updatedAt" = ${now} WHERE id = ${id}::uuid`
          changes.push('assignee')
          if (input.assigneeId) await notices.toStaff(tx, (await one(tx, id))!, 'назначено вам')
        }
        if (input.status && input.status !== ticket.status) {
          await move(tx, ticket, input.status, 'staff', now)
          await addMessage(tx, id, { id: null, role: 'system' }, `Статус: ${input.status}.`, false, now)
          await notices.toCustomer(tx, ticket, { status: input.status })
          changes.push('status')
        }
        if (changes.length > 0) {
          await changed(tx, id, changes, now)
          await app.audit.record(tx, context, { supplierId: ticket.supplierId, entity: 'ticket', entityId: id, action: 'update', before: { status: ticket.status, assigneeId: ticket.assigneeId }, after: input })
        }
        return ticketOf((await one(tx, id))!, await messagesOf(tx, id, true))
      })
    },

    /** A file of a ticket the caller may see; a customer never gets the files of an internal note. */
    async attachment(caller: Caller, ticketId: string, attachmentId: string) {
      await visible(app.db, caller, ticketId)
      const [file] = await app.db.sql<{ fileName: string; contentType: string; bytes: number; storageKey: string }>`
        SELECT f."fileName", f."contentType", f.bytes, f."storageKey" FROM ticket_attachment f JOIN ticket_message m ON m.id = f."messageId"
        WHERE f.id = ${attachmentId}::uuid AND f."ticketId" = ${ticketId}::uuid AND (${isStaff(caller)} OR NOT m.internal)`
      const blob = file ? await app.storage.get(file.storageKey) : null
      if (!file || !blob) throw new NotFoundError('attachment_not_found', 'No such file on this ticket.')
      return { ...file, body: blob.body }
    },

    /** Targets that passed unmet are flagged once, and the assignee (or the supplier's operators) mailed. */
    async flagBreaches(): Promise<number> {
      const now = clock.now()
      return app.transaction(async (tx) => {
        const breached = await tx.sql<{ id: string; target: 'first_response' | 'resolution'; dueAt: Date }>`
          WITH first AS (
            UPDATE ticket SET "firstResponseBreachedAt" = ${now}
            WHERE "firstResponseBreachedAt" IS NULL AND "firstRespondedAt" IS NULL AND "firstResponseDueAt" < ${now}::timestamptz AND status NOT IN ('resolved', 'closed')
            RETURNING id, 'first_response' AS target, "firstResponseDueAt" AS "dueAt"),
          resolution AS (
            UPDATE ticket SET "resolutionBreachedAt" = ${now}
            WHERE "resolutionBreachedAt" IS NULL AND "resolvedAt" IS NULL AND "resolutionDueAt" < ${now}::timestamptz AND status NOT IN ('resolved', 'closed')
            RETURNING id, 'resolution' AS target, "resolutionDueAt" AS "dueAt")
          SELECT * FROM first UNION ALL SELECT * FROM resolution`
        for (const breach of breached) {
          const ticket = (await one(tx, breach.id))!
          const [supplier] = await tx.sql<{ timeZone: string }>`SELECT "timeZone" FROM supplier WHERE id = ${ticket.supplierId}::uuid`
          for (const to of await notices.staffAddresses(tx, ticket)) {
            await app.mail.enqueue(tx, {
              template: 'ticket_overdue',
              to,
              number: ticket.number,
              subject: ticket.subject,
              target: breach.target === 'first_response' ? 'первый ответ' : 'решение',
              dueAt: formatLocalTime(breach.dueAt, supplier!.timeZone),
              link: notices.staffLink(ticket),
            })
          }
        }
        return breached.length
      })
    },

    /** Uploads never attached to a message, a day old, leave the store and the table. */
    async pruneUploads(): Promise<number> {
      const before = new Date(clock.now().getTime() - 86_400_000)
      const stale = await app.db.sql<{ id: string; storageKey: string }>`
        SELECT id, "storageKey" FROM ticket_attachment WHERE "ticketId" IS NULL AND "createdAt" < ${before} ORDER BY "createdAt" LIMIT 1000`
      for (const file of stale) {
        await app.storage.delete(file.storageKey)
        await app.db.sql`DELETE FROM ticket_attachment WHERE id = ${file.id}::uuid AND "ticketId" IS NULL`
      }
      return stale.length
    },
  }
}

export type TicketService = ReturnType<typeof createTicketService>
