/** Ticket statuses and who may move a ticket between them: the transition table, pure. */
export const TICKET_STATUSES = ['new', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const
export type TicketStatus = (typeof TICKET_STATUSES)[number]

export type TicketActor = 'customer' | 'staff'

const OPEN: readonly TicketStatus[] = ['new', 'in_progress', 'waiting_customer']

/** from → to → who may. Reopening (resolved or closed → in_progress) has its own rule below. */
const TABLE: Record<TicketStatus, Partial<Record<TicketStatus, readonly TicketActor[]>>> = {
  new: { in_progress: ['staff'], waiting_customer: ['staff'], resolved: ['staff'], closed: ['customer', 'staff'] },
  in_progress: { waiting_customer: ['staff'], resolved: ['staff'], closed: ['customer', 'staff'] },
  waiting_customer: { in_progress: ['customer', 'staff'], resolved: ['staff'], closed: ['customer', 'staff'] },
  resolved: { in_progress: ['customer', 'staff'], closed: ['customer', 'staff'] },
  closed: { in_progress: ['customer', 'staff'] },
}

export type TransitionVerdict =
  | { ok: true; reopen: boolean }
  | { ok: false; code: 'ticket_transition_not_allowed' | 'ticket_reopen_expired'; detail: string }

export function isOpen(status: TicketStatus): boolean {
  return OPEN.includes(status)
}

/**
 * Whether `actor` may move a ticket from `from` to `to` now. A customer reopens within
 * `reopenWindowMs` of the ticket's resolution or closing (the later); staff any time.
 */
export function decideTransition(
  from: TicketStatus,
  to: TicketStatus,
  actor: TicketActor,
  context: { now: Date; resolvedAt: Date | null; closedAt: Date | null; reopenWindowMs: number },
): TransitionVerdict {
  const allowed = TABLE[from][to]
  if (!allowed || !allowed.includes(actor)) {
    return { ok: false, code: 'ticket_transition_not_allowed', detail: `A ${actor === 'staff' ? 'member of staff' : 'customer'} cannot move a ticket from ${from} to ${to}.` }
  }
  const reopen = (from === 'resolved' || from === 'closed') && to === 'in_progress'
  if (reopen && actor === 'customer') {
    const ended = Math.max(context.resolvedAt?.getTime() ?? 0, context.closedAt?.getTime() ?? 0)
    if (context.now.getTime() - ended > context.reopenWindowMs) {
      return { ok: false, code: 'ticket_reopen_expired', detail: 'It is too long since the ticket was resolved to reopen it; open a new one.' }
    }
  }
  return { ok: true, reopen }
}

/** What a customer's message does to the ticket's status: a reply to a question brings it back to staff. */
export function statusAfterCustomerMessage(status: TicketStatus): TicketStatus | 'refused' {
  if (status === 'waiting_customer') return 'in_progress'
  if (status === 'resolved' || status === 'closed') return 'refused'
  return status
}
