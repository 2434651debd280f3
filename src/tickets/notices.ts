import type { FastifyInstance } from 'fastify'
import type { Tx } from '../db/transaction.ts'
import { staffAddresses } from '../mail/recipients.ts'
import type { TicketRow } from './views.ts'

const STATUS_NAMES: Record<string, string> = {
  new: 'новое',
  in_progress: 'в работе',
  waiting_customer: 'ждёт вашего ответа',
  resolved: 'решено',
  closed: 'закрыто',
}

/** Mails about a ticket: to its author (never an internal note), and to staff. */
export function ticketNotices(app: FastifyInstance) {
  const customerLink = (ticket: TicketRow) => `${app.config.publicWebUrl}/support/${ticket.id}`
  const staffLink = (ticket: TicketRow) => `${app.config.publicWebUrl}/admin/tickets/${ticket.id}`

  /** The staff who should hear of it: the assignee, or the supplier's operators when nobody is assigned. */
  const ticketStaff = (tx: Tx, ticket: TicketRow) => staffAddresses(tx, { userId: ticket.assigneeId, supplierId: ticket.supplierId })

  return {
    async toCustomer(tx: Tx, ticket: TicketRow, news: { answer?: string; status?: string }) {
      const [author] = await tx.sql<{ email: string | null; confirmed: boolean; notify: boolean; deleted: boolean; surname: string; givenNames: string | null }>`
        SELECT email, "emailConfirmedAt" IS NOT NULL AS confirmed, "notifyByEmail" AS notify, "deletedAt" IS NOT NULL AS deleted, surname, "givenNames"
        FROM "user" WHERE id = ${ticket.authorId}::uuid`
      if (!author?.email || !author.confirmed || !author.notify || author.deleted) return
      await app.mail.enqueue(tx, {
        template: 'ticket_update',
        to: author.email,
        name: author.givenNames ?? author.surname,
        number: ticket.number,
        subject: ticket.subject,
        answer: news.answer ?? null,
        status: news.status ? STATUS_NAMES[news.status] ?? news.status : null,
        link: customerLink(ticket),
      })
    },
    async toStaff(tx: Tx, ticket: TicketRow, what: string) {
      for (const to of await ticketStaff(tx, ticket)) {
        await app.mail.enqueue(tx, { template: 'ticket_staff_notice', to, number: ticket.number, subject: ticket.subject, what, link: staffLink(ticket) })
      }
    },
    staffAddresses: ticketStaff,
    staffLink,
  }
}
