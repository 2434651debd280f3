import fc from 'fast-check'
import { attachmentDisposition, safeFileName } from '../../src/tickets/file-name.ts'
import { TICKET_STATUSES, decideTransition, statusAfterCustomerMessage } from '../../src/tickets/rules.ts'
import { DEFAULT_WEEK, addWorkingMinutes, deadline, instantOf, localParts, type WorkingCalendar } from '../../src/tickets/sla.ts'

const moscow = (days: [string, { opens: number; closes: number } | null][] = []): WorkingCalendar => ({ timeZone: 'Europe/Moscow', weekly: new Map(DEFAULT_WEEK), days: new Map(days) })

describe('working time', () => {
  it('counts within a day, across the night, a weekend and a holiday', () => {
    const calendar = moscow([['2026-12-31', null]])
    // Monday 7 December 2026, 10:00 Moscow (07:00Z).
    expect(addWorkingMinutes(new Date('2026-12-07T07:00:00Z'), 60, calendar).toISOString()).toBe('2026-12-07T08:00:00.000Z')
    expect(addWorkingMinutes(new Date('2026-12-07T14:30:00Z'), 60, calendar).toISOString()).toBe('2026-12-08T06:30:00.000Z')
    // Friday 17:00 + 2 h: Monday 10:00.
    expect(addWorkingMinutes(new Date('2026-12-11T14:00:00Z'), 120, calendar).toISOString()).toBe('2026-12-14T07:00:00.000Z')
    // Wednesday 30 December 17:00 + 2 h: the 31st is a holiday, 1 January a Friday at work here.
    expect(addWorkingMinutes(new Date('2026-12-30T14:00:00Z'), 120, calendar).toISOString()).toBe('2027-01-01T07:00:00.000Z')
    // Before opening: counting starts at 09:00.
    expect(addWorkingMinutes(new Date('2026-12-07T03:00:00Z'), 30, calendar).toISOString()).toBe('2026-12-07T06:30:00.000Z')
  })

  it('takes a working Saturday given as data', () => {
    const calendar = moscow([['2026-12-12', { opens: 600, closes: 840 }]])
    expect(addWorkingMinutes(new Date('2026-12-11T14:30:00Z'), 60, calendar).toISOString()).toBe('2026-12-12T07:30:00.000Z')
  })

  it('never ends earlier than the same number of clock minutes, and never inside a closed hour', () => {
    const calendar = moscow()
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }), fc.integer({ min: 1, max: 10_000 }), (start, minutes) => {
        const due = addWorkingMinutes(new Date(start), minutes, calendar)
        expect(due.getTime()).toBeGreaterThanOrEqual(start + minutes * 60_000)
        const local = localParts(due, 'Europe/Moscow')
        const weekday = new Date(`${local.date}T00:00:00Z`).getUTCDay()
        expect(weekday).not.toBe(0)
        expect(weekday).not.toBe(6)
        expect(local.minute).toBeGreaterThan(9 * 60)
        expect(local.minute).toBeLessThanOrEqual(18 * 60)
      }),
      { numRuns: 300 },
    )
  })

  it('adds working minutes step by step the same as at once', () => {
    const calendar = moscow([['2026-03-09', null]])
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-03-01T00:00:00Z'), max: Date.parse('2026-03-31T00:00:00Z') }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 3000 }), (start, a, b) => {
        const once = addWorkingMinutes(new Date(start), a + b, calendar)
        const twice = addWorkingMinutes(addWorkingMinutes(new Date(start), a, calendar), b, calendar)
        expect(twice.toISOString()).toBe(once.toISOString())
      }),
      { numRuns: 200 },
    )
  })

  it('counts an emergency in clock minutes', () => {
    expect(deadline(new Date('2026-12-12T20:00:00Z'), 5, moscow(), true).toISOString()).toBe('2026-12-12T20:05:00.000Z')
  })

  it('finds the instant of a local time', () => {
    expect(instantOf('2026-12-07', 600, 'Asia/Novosibirsk').toISOString()).toBe('2026-12-07T03:00:00.000Z')
    expect(instantOf('2026-12-07', 0, 'Europe/Kaliningrad').toISOString()).toBe('2026-12-06T22:00:00.000Z')
  })
})

describe('the transition table', () => {
  const context = { now: new Date('2026-12-10T00:00:00Z'), resolvedAt: new Date('2026-12-01T00:00:00Z'), closedAt: null, reopenWindowMs: 14 * 86_400_000 }

  it('lets a customer only close, reopen, or answer back', () => {
    for (const from of TICKET_STATUSES) {
      for (const to of TICKET_STATUSES) {
        const verdict = decideTransition(from, to, 'customer', context)
        const expected = (to === 'closed' && from !== 'closed') || (to === 'in_progress' && ['waiting_customer', 'resolved', 'closed'].includes(from))
        expect([from, to, verdict.ok]).toEqual([from, to, expected])
      }
    }
  })

  it('never lets anyone move a ticket back to new', () => {
    for (const from of TICKET_STATUSES) for (const actor of ['customer', 'staff'] as const) expect(decideTransition(from, 'new', actor, context).ok).toBe(false)
  })

  it('counts a reopen and ends the customer’s window', () => {
    expect(decideTransition('resolved', 'in_progress', 'customer', context)).toEqual({ ok: true, reopen: true })
    expect(decideTransition('resolved', 'in_progress', 'customer', { ...context, now: new Date('2026-12-16T00:00:01Z') })).toMatchObject({ ok: false, code: 'ticket_reopen_expired' })
    expect(decideTransition('resolved', 'in_progress', 'staff', { ...context, now: new Date('2027-06-01T00:00:00Z') })).toEqual({ ok: true, reopen: true })
    expect(decideTransition('waiting_customer', 'in_progress', 'staff', context)).toEqual({ ok: true, reopen: false })
  })

  it('brings a ticket back to staff when the customer answers, and refuses writing into a finished one', () => {
    expect(statusAfterCustomerMessage('waiting_customer')).toBe('in_progress')
    expect(statusAfterCustomerMessage('new')).toBe('new')
    expect(statusAfterCustomerMessage('resolved')).toBe('refused')
    expect(statusAfterCustomerMessage('closed')).toBe('refused')
  })
})

describe('file names', () => {
  it('never keeps a directory, a control character or an empty stem; the extension is the detected one', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('pdf', 'doc', 'docx', 'jpg', 'png'), (given, ext) => {
        const name = safeFileName(given, ext)
        expect(name.endsWith(`.${ext}`)).toBe(true)
        // eslint-disable-next-line no-control-regex -- control characters are what must be absent
        expect(name).not.toMatch(/[/\\\u0000-\u001f"]/)
        expect(name.startsWith('.')).toBe(false)
        expect(name.length).toBeLessThanOrEqual(120)
        expect(attachmentDisposition(name)).not.toMatch(/[\r\n]/)
      }),
    )
    expect(safeFileName('отчёт.exe', 'pdf')).toBe('отчёт.pdf')
    expect(safeFileName('. .a.b', 'pdf')).toBe('a.pdf')
    expect(safeFileName('.. ..x.y', 'pdf')).toBe('x.pdf')
  })
})
