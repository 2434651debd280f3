import { Type, type Static } from 'typebox'
import { PageQuery, Uuid } from '../common/schemas.ts'
import { TICKET_STATUSES } from './rules.ts'

const TICKET_ID = '019af400-1a2b-7c3d-8e4f-5a6b7c8d9e0f'
const CATEGORY_ID = '019af3f0-0a1b-7c2d-8e3f-4a5b6c7d8e9f'
const ACCOUNT_ID = '019ad0a2-11aa-7b20-9c3d-4b5e6f708193'
const SUPPLIER_ID = '019ad0a1-5e2f-7a10-8c3d-4b5e6f708192'

export const TicketStatusName = Type.Enum([...TICKET_STATUSES], { type: 'string', $id: 'TicketStatus' })
const Status = Type.Enum([...TICKET_STATUSES], { type: 'string' })
const Text = Type.String({ minLength: 1, maxLength: 10_000, description: 'Plain text.' })
const AttachmentIds = Type.Array(Uuid, { maxItems: 50, uniqueItems: true, description: 'Files uploaded first (POST /v1/ticket-attachments) by the same person.' })

export const TicketCategory = Type.Object(
  {
    id: Uuid,
    supplierId: Uuid,
    code: Type.String(),
    name: Type.String(),
    firstResponseMinutes: Type.Integer({ minimum: 1 }),
    resolutionMinutes: Type.Integer({ minimum: 1 }),
    emergency: Type.Boolean({ description: 'Counted in clock minutes round the clock; others in the supplier’s working time.' }),
    active: Type.Boolean(),
  },
  {
    $id: 'TicketCategory',
    additionalProperties: false,
    examples: [{ id: CATEGORY_ID, supplierId: SUPPLIER_ID, code: 'billing', name: 'Вопрос по начислениям', firstResponseMinutes: 480, resolutionMinutes: 4320, emergency: false, active: true }],
  },
)
export type TicketCategory = Static<typeof TicketCategory>

export const TicketCategoryList = Type.Object({ items: Type.Array(TicketCategory) }, { $id: 'TicketCategoryList', additionalProperties: false })

export const TicketCategoryCreate = Type.Object(
  {
    supplierId: Uuid,
    code: Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    firstResponseMinutes: Type.Integer({ minimum: 1, maximum: 100_000 }),
    resolutionMinutes: Type.Integer({ minimum: 1, maximum: 500_000 }),
    emergency: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
  },
  {
    $id: 'TicketCategoryCreate',
    additionalProperties: false,
    examples: [{ supplierId: SUPPLIER_ID, code: 'emergency', name: 'Авария: нет воды, прорыв', firstResponseMinutes: 5, resolutionMinutes: 240, emergency: true }],
  },
)
export type TicketCategoryCreate = Static<typeof TicketCategoryCreate>

export const TicketCategoryUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    firstResponseMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    resolutionMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 500_000 })),
    emergency: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
  },
  { $id: 'TicketCategoryUpdate', additionalProperties: false, minProperties: 1, examples: [{ resolutionMinutes: 2880 }] },
)

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: 'HH:MM, local time.' })
export const WorkingCalendarBody = Type.Object(
  {
    week: Type.Array(Type.Object({ weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday' }), opensAt: HHMM, closesAt: HHMM }, { additionalProperties: false }), {
      maxItems: 7,
      description: 'Working hours per weekday; a weekday not listed is a day off.',
    }),
    days: Type.Array(
      Type.Object(
        { date: Type.String({ format: 'date' }), name: Type.Optional(Type.String({ maxLength: 200 })), opensAt: Type.Optional(HHMM), closesAt: Type.Optional(HHMM) },
        { additionalProperties: false, description: 'A holiday (no hours) or a working weekend day (with hours).' },
      ),
      { maxItems: 1000 },
    ),
  },
  {
    $id: 'WorkingCalendar',
    additionalProperties: false,
    examples: [
      {
        week: [1, 2, 3, 4].map((weekday) => ({ weekday, opensAt: '08:00', closesAt: '17:00' })).concat([{ weekday: 5, opensAt: '08:00', closesAt: '16:00' }]),
        days: [
          { date: '2027-01-01', name: 'Новогодние каникулы' },
          { date: '2027-01-07', name: 'Рождество Христово' },
          { date: '2027-02-20', name: 'Рабочая суббота', opensAt: '08:00', closesAt: '16:00' },
        ],
      },
    ],
  },
)
export type WorkingCalendarBody = Static<typeof WorkingCalendarBody>

export const TicketAttachment = Type.Object(
  {
    id: Uuid,
    fileName: Type.String(),
    contentType: Type.Enum(['application/pdf', 'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'image/jpeg', 'image/png'], { type: 'string' }),
    bytes: Type.Integer({ minimum: 1 }),
  },
  { $id: 'TicketAttachment', additionalProperties: false, examples: [{ id: '019af401-2b3c-7d4e-8f50-6a7b8c9d0e1f', fileName: 'Квитанция ноябрь.pdf', contentType: 'application/pdf', bytes: 184_233 }] },
)

export const TicketAttachmentList = Type.Object({ items: Type.Array(TicketAttachment) }, { $id: 'TicketAttachmentList', additionalProperties: false })

export const TicketMessage = Type.Object(
  {
    id: Uuid,
    author: Type.Enum(['customer', 'operator', 'system'], { type: 'string' }),
    authorName: Type.Union([Type.String(), Type.Null()]),
    internal: Type.Boolean({ description: 'A note among staff: never shown to the customer.' }),
    text: Type.String(),
    attachments: Type.Array(TicketAttachment),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'TicketMessage', additionalProperties: false },
)

const ticketProperties = {
  id: Uuid,
  number: Type.Integer({ minimum: 1 }),
  supplierId: Uuid,
  category: Type.Object({ id: Uuid, code: Type.String(), name: Type.String(), emergency: Type.Boolean() }, { additionalProperties: false }),
  accountId: Type.Union([Uuid, Type.Null()]),
  accountNumber: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String(),
  status: Status,
  assignee: Type.Union([Type.Object({ id: Uuid, name: Type.String() }, { additionalProperties: false }), Type.Null()]),
  firstResponseDueAt: Type.String({ format: 'date-time' }),
  resolutionDueAt: Type.String({ format: 'date-time' }),
  firstRespondedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  overdue: Type.Boolean({ description: 'A target passed unmet: no first answer by its deadline, or not resolved by its deadline.' }),
  reopenCount: Type.Integer({ minimum: 0 }),
  rating: Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()]),
  ratingComment: Type.Union([Type.String(), Type.Null()]),
  lastMessageAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
}

const ticketExample = {
  id: TICKET_ID,
  number: 418,
  supplierId: SUPPLIER_ID,
  category: { id: CATEGORY_ID, code: 'billing', name: 'Вопрос по начислениям', emergency: false },
  accountId: ACCOUNT_ID,
  accountNumber: '12-0012346',
  subject: 'Неверный расчёт за ноябрь',
  status: 'in_progress',
  assignee: { id: '019ad0b1-0a1b-7c2d-8e3f-4a5b6c7d8e9f', name: 'Оператор Смирнова' },
  firstResponseDueAt: '2026-12-02T09:00:00.000Z',
  resolutionDueAt: '2026-12-07T09:00:00.000Z',
  firstRespondedAt: '2026-12-01T11:20:00.000Z',
  resolvedAt: null,
  closedAt: null,
  overdue: false,
  reopenCount: 0,
  rating: null,
  ratingComment: null,
  lastMessageAt: '2026-12-01T11:20:00.000Z',
  createdAt: '2026-12-01T08:00:00.000Z',
}

export const TicketSummary = Type.Object(ticketProperties, { $id: 'TicketSummary', additionalProperties: false, examples: [ticketExample] })
export type TicketSummary = Static<typeof TicketSummary>

export const Ticket = Type.Object(
  { ...ticketProperties, messages: Type.Array(TicketMessage) },
  {
    $id: 'Ticket',
    additionalProperties: false,
    examples: [
      {
        ...ticketExample,
        messages: [
          { id: '019af400-1a2c-7c3d-8e4f-5a6b7c8d9e10', author: 'customer', authorName: 'Семёнова А. П.', internal: false, text: 'Начислено 14 м³ холодной воды, по счётчику 7,2 м³.', attachments: [], createdAt: '2026-12-01T08:00:00.000Z' },
        ],
      },
    ],
  },
)
export type Ticket = Static<typeof Ticket>

export const TicketCreate = Type.Object(
  {
    supplierId: Uuid,
    categoryId: Uuid,
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    text: Text,
    accountId: Type.Optional(Uuid),
    attachmentIds: Type.Optional(AttachmentIds),
  },
  {
    $id: 'TicketCreate',
    additionalProperties: false,
    examples: [
      {
        supplierId: SUPPLIER_ID,
        categoryId: CATEGORY_ID,
        subject: 'Неверный расчёт за ноябрь',
        text: 'Начислено 14 м³ холодной воды, по счётчику 7,2 м³. Прошу пересчитать.',
        accountId: ACCOUNT_ID,
        attachmentIds: ['019af401-2b3c-7d4e-8f50-6a7b8c9d0e1f'],
      },
    ],
  },
)
export type TicketCreate = Static<typeof TicketCreate>

export const TicketReply = Type.Object(
  { text: Text, attachmentIds: Type.Optional(AttachmentIds) },
  { $id: 'TicketReply', additionalProperties: false, examples: [{ text: 'Фото счётчика прилагаю.', attachmentIds: ['019af401-2b3c-7d4e-8f50-6a7b8c9d0e1f'] }] },
)
export type TicketReply = Static<typeof TicketReply>

export const TicketStaffMessage = Type.Object(
  {
    text: Text,
    internal: Type.Optional(Type.Boolean({ default: false, description: 'A note for staff only.' })),
    attachmentIds: Type.Optional(AttachmentIds),
    status: Type.Optional(Status),
  },
  {
    $id: 'TicketStaffMessage',
    additionalProperties: false,
    examples: [{ text: 'Перерасчёт выполнен, сумма уменьшена на 291,20 ₽.', status: 'resolved' }, { text: 'Проверить показания в 1С', internal: true }],
  },
)
export type TicketStaffMessage = Static<typeof TicketStaffMessage>

export const TicketCustomerUpdate = Type.Object(
  {
    status: Type.Optional(Type.Enum(['closed', 'in_progress'], { type: 'string', description: 'closed: close it; in_progress: reopen a resolved or closed one (TICKET_REOPEN_DAYS).' })),
    rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    ratingComment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { $id: 'TicketCustomerUpdate', additionalProperties: false, minProperties: 1, examples: [{ rating: 5, ratingComment: 'Быстро разобрались, спасибо' }, { status: 'in_progress' }] },
)
export type TicketCustomerUpdate = Static<typeof TicketCustomerUpdate>

export const TicketStaffUpdate = Type.Object(
  { status: Type.Optional(Status), assigneeId: Type.Optional(Type.Union([Uuid, Type.Null()])) },
  { $id: 'TicketStaffUpdate', additionalProperties: false, minProperties: 1, examples: [{ assigneeId: '019ad0b1-0a1b-7c2d-8e3f-4a5b6c7d8e9f', status: 'in_progress' }] },
)
export type TicketStaffUpdate = Static<typeof TicketStaffUpdate>

export const TicketListQuery = Type.Object({ status: Type.Optional(Status), ...PageQuery.properties }, { additionalProperties: false })
export type TicketListQuery = Static<typeof TicketListQuery>

export const TicketQueueQuery = Type.Object(
  {
    supplierId: Type.Optional(Uuid),
    status: Type.Optional(Status),
    categoryId: Type.Optional(Uuid),
    assigneeId: Type.Optional(Type.Union([Uuid, Type.Literal('none')], { description: 'An operator’s id, or none for unassigned.' })),
    overdue: Type.Optional(Type.Boolean()),
    olderThanHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Opened at least this long ago.' })),
    open: Type.Optional(Type.Boolean({ description: 'true: new, in progress or waiting for the customer.' })),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
)
export type TicketQueueQuery = Static<typeof TicketQueueQuery>
