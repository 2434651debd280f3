import { Prisma } from '../generated/prisma/client.ts'
import type { Ticket, TicketSummary } from './schemas.ts'
import type { TicketStatus } from './rules.ts'

export interface TicketRow {
  id: string
  number: number
  supplierId: string
  categoryId: string
  categoryCode: string
  categoryName: string
  emergency: boolean
  accountId: string | null
  accountNumber: string | null
  authorId: string
  subject: string
  status: TicketStatus
  assigneeId: string | null
  assigneeName: string | null
  firstResponseDueAt: Date
  resolutionDueAt: Date
  firstRespondedAt: Date | null
  resolvedAt: Date | null
  closedAt: Date | null
  overdue: boolean
  reopenCount: number
  rating: number | null
  ratingComment: string | null
  lastMessageAt: Date
  createdAt: Date
}

export const OPEN_SQL = Prisma.sql`t.status IN ('new', 'in_progress', 'waiting_customer')`

/**
 * Overdue: an open ticket whose target passed unmet (no first answer by its deadline, or not
 * resolved by its deadline). Computed from `now` (the injected clock), never stored.
 */
export const overdueSql = (now: Date) => Prisma.sql`(${OPEN_SQL} AND (
  (t."firstRespondedAt" IS NULL AND t."firstResponseDueAt" < ${now}::timestamptz) OR t."resolutionDueAt" < ${now}::timestamptz))`

export const ticketColumns = (now: Date) => Prisma.sql`
  t.id, t.number, t."supplierId", t."categoryId", c.code AS "categoryCode", c.name AS "categoryName", c.emergency,
  t."accountId", a.number AS "accountNumber", t."authorId", t.subject, t.status::text AS status, t."assigneeId",
  CASE WHEN u.id IS NULL THEN NULL ELSE concat_ws(' ', u."givenNames", u.surname) END AS "assigneeName",
  t."firstResponseDueAt", t."resolutionDueAt", t."firstRespondedAt", t."resolvedAt", t."closedAt", ${overdueSql(now)} AS overdue,
  t."reopenCount", t.rating, t."ratingComment", t."lastMessageAt", t."createdAt"`

export const TICKET_FROM = Prisma.sql`ticket t JOIN ticket_category c ON c.id = t."categoryId"
  LEFT JOIN account a ON a.id = t."accountId" LEFT JOIN "user" u ON u.id = t."assigneeId"`

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function summaryOf(row: TicketRow): TicketSummary {
  return {
    id: row.id,
    number: row.number,
    supplierId: row.supplierId,
    category: { id: row.categoryId, code: row.categoryCode, name: row.categoryName, emergency: row.emergency },
    accountId: row.accountId,
    accountNumber: row.accountNumber,
    subject: row.subject,
    status: row.status,
    assignee: row.assigneeId ? { id: row.assigneeId, name: row.assigneeName ?? '' } : null,
    firstResponseDueAt: row.firstResponseDueAt.toISOString(),
    resolutionDueAt: row.resolutionDueAt.toISOString(),
    firstRespondedAt: iso(row.firstRespondedAt),
    resolvedAt: iso(row.resolvedAt),
    closedAt: iso(row.closedAt),
    overdue: row.overdue,
    reopenCount: row.reopenCount,
    rating: row.rating,
    ratingComment: row.ratingComment,
    lastMessageAt: row.lastMessageAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  }
}

export interface MessageRow {
  id: string
  authorRole: 'customer' | 'operator' | 'system'
  authorName: string | null
  internal: boolean
  text: string
  createdAt: Date
  attachments: { id: string; fileName: string; contentType: string; bytes: number }[]
}

export function ticketOf(row: TicketRow, messages: MessageRow[]): Ticket {
  return {
    ...summaryOf(row),
    messages: messages.map((m) => ({
      id: m.id,
      author: m.authorRole,
      authorName: m.authorName,
      internal: m.internal,
      text: m.text,
      attachments: m.attachments as Ticket['messages'][number]['attachments'],
      createdAt: m.createdAt.toISOString(),
    })),
  }
}
