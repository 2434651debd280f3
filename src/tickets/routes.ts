import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { auditContextOf } from '../audit/audit.ts'
import { Page, Uuid, problems, ref } from '../common/schemas.ts'
import { attachmentDisposition } from './file-name.ts'
import {
  Ticket,
  TicketAttachmentList,
  TicketCategory,
  TicketCategoryCreate,
  TicketCategoryList,
  TicketCategoryUpdate,
  TicketCreate,
  TicketCustomerUpdate,
  TicketListQuery,
  TicketQueueQuery,
  TicketReply,
  TicketStaffMessage,
  TicketStaffUpdate,
  TicketSummary,
  WorkingCalendarBody,
} from './schemas.ts'

export const TicketSummaryPage = Page(TicketSummary)

const TicketParams = Type.Object({ ticketId: Uuid }, { additionalProperties: false })
const AttachmentParams = Type.Object({ ticketId: Uuid, attachmentId: Uuid }, { additionalProperties: false })
const SupplierParams = Type.Object({ supplierId: Uuid }, { additionalProperties: false })
const CategoryParams = Type.Object({ categoryId: Uuid }, { additionalProperties: false })

/** A stored file as a download: its detected type, never sniffed, never shown inline, never cached by others. */
function sendFile(reply: FastifyReply, file: { contentType: string; bytes: number; fileName: string; body: Readable }) {
  return reply
    .header('content-type', file.contentType)
    .header('content-length', String(file.bytes))
    .header('content-disposition', attachmentDisposition(file.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(file.body)
}

const ticketRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['tickets']
  const people = { auth: { roles: ['customer', 'organization'] } } as const
  const staff = { auth: { roles: ['operator', 'admin'] } } as const
  const anyone = { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } } as const
  const { attachmentMaxBytes, attachmentMaxFiles } = app.config.tickets
  // Multipart for uploads only (this plugin's routes); limits again per request in receiveUploads.
  await app.register(multipart, { limits: { fileSize: attachmentMaxBytes, files: attachmentMaxFiles } })

  app.get(
    '/suppliers/:supplierId/ticket-categories',
    {
      config: { auth: false },
      schema: {
        operationId: 'listTicketCategories',
        tags,
        summary: 'What one can write to a supplier about, with its answer and resolution targets',
        params: SupplierParams,
        response: { 200: ref(TicketCategoryList, { description: 'Active categories in the supplier’s order.' }), ...problems(400) },
      },
    },
    async (request) => app.tickets.setup.categories(request.params.supplierId),
  )

  app.post(
    '/ticket-attachments',
    {
      config: { ...anyone, auditExempt: 'files wait unattached; the message that attaches them is the audited write' },
      schema: {
        operationId: 'uploadTicketAttachments',
        tags,
        summary: 'Upload files for a ticket message (multipart/form-data)',
        description:
          `One or more file parts, at most ${attachmentMaxFiles} of ${attachmentMaxBytes} bytes each: PDF, Word (.doc, .docx), JPEG or PNG, recognised by their contents, not their names. ` +
          'Then name them in attachmentIds of a new ticket or message; an upload not attached within a day is removed. ' +
          'Refusals: attachment_type_not_allowed (415), attachment_too_large, too_many_attachments, attachment_missing (422), unsupported_media_type (415).',
        consumes: ['multipart/form-data'],
        response: { 201: ref(TicketAttachmentList, { description: 'Stored.' }), ...problems(400, 401, 403, 413, 415, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.tickets.service.upload(request, callerOf(request))),
  )

  app.post(
    '/tickets',
    {
      config: { ...people, idempotent: true },
      schema: {
        operationId: 'openTicket',
        tags,
        summary: 'Write to a supplier’s support',
        description:
          'Deadlines for the first answer and the resolution are set now from the category and the supplier’s working calendar, and never cleared. Send Idempotency-Key. ' +
          'Refusals: ticket_category_not_found, account_not_found, attachment_not_found, too_many_attachments (422).',
        body: ref(TicketCreate),
        response: { 201: ref(Ticket, { description: 'Opened.' }), ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.tickets.service.open(auditContextOf(request), request.body)),
  )

  app.get(
    '/tickets',
    {
      config: people,
      schema: {
        operationId: 'listMyTickets',
        tags,
        summary: 'My tickets, newest first',
        querystring: TicketListQuery,
        response: { 200: ref(TicketSummaryPage, { description: 'A page of tickets.' }), ...problems(400, 401, 403) },
      },
    },
    async (request) => app.tickets.service.mine(callerOf(request), request.query),
  )

  app.get(
    '/tickets/:ticketId',
    {
      config: anyone,
      schema: {
        operationId: 'getTicket',
        tags,
        summary: 'A ticket with its messages (staff also see internal notes)',
        description: 'Refusals: ticket_not_found.',
        params: TicketParams,
        response: { 200: ref(Ticket, { description: 'The ticket.' }), ...problems(400, 401, 404) },
      },
    },
    async (request) => app.tickets.service.view(app.db, callerOf(request), request.params.ticketId),
  )

  app.post(
    '/tickets/:ticketId/messages',
    {
      config: people,
      schema: {
        operationId: 'replyToTicket',
        tags,
        summary: 'Write in my ticket',
        description: 'A reply to a ticket waiting for the customer puts it back in progress. Refusals: ticket_not_found, ticket_closed (409: reopen it first), attachment_not_found, too_many_attachments.',
        params: TicketParams,
        body: ref(TicketReply),
        response: { 201: ref(Ticket, { description: 'The ticket with the message.' }), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.tickets.service.reply(auditContextOf(request), request.params.ticketId, request.body)),
  )

  app.patch(
    '/tickets/:ticketId',
    {
      config: people,
      schema: {
        operationId: 'updateMyTicket',
        tags,
        summary: 'Close, reopen or rate my ticket',
        description:
          'Reopening (status in_progress) is possible for TICKET_REOPEN_DAYS after it was resolved or closed and counts in reopenCount. A rating needs a resolved or closed ticket. ' +
          'Refusals: ticket_not_found, ticket_transition_not_allowed, ticket_reopen_expired, ticket_not_resolved (409), rating_required (422).',
        params: TicketParams,
        body: ref(TicketCustomerUpdate),
        response: { 200: ref(Ticket, { description: 'The ticket.' }), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => app.tickets.service.customerUpdate(auditContextOf(request), request.params.ticketId, request.body),
  )

  app.get(
    '/tickets/:ticketId/attachments/:attachmentId',
    {
      config: anyone,
      schema: {
        operationId: 'downloadTicketAttachment',
        tags,
        summary: 'A file of a ticket',
        description: 'Sent as an attachment, never shown inline. Refusals: ticket_not_found, attachment_not_found.',
        params: AttachmentParams,
        response: {
          200: { description: 'The file as uploaded.', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
          ...problems(400, 401, 404),
        },
      },
    },
    async (request, reply) => sendFile(reply, await app.tickets.service.attachment(callerOf(request), request.params.ticketId, request.params.attachmentId)),
  )

  app.get(
    '/admin/tickets',
    {
      config: staff,
      schema: {
        operationId: 'listTicketQueue',
        tags,
        summary: 'The support queue: overdue first, then by resolution deadline',
        description: 'Operators see their supplier’s; admins any (supplierId to choose one). Refusals: supplier_not_found.',
        querystring: TicketQueueQuery,
        response: { 200: ref(TicketSummaryPage, { description: 'A page of the queue.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.tickets.service.queue(callerOf(request), request.query),
  )

  app.post(
    '/admin/tickets/:ticketId/messages',
    {
      config: staff,
      schema: {
        operationId: 'answerTicket',
        tags,
        summary: 'Answer a ticket, or leave an internal note',
        description:
          'An answer is mailed to the customer, counts as the first response, and moves a new ticket in progress (or to status). An internal note is seen by staff only: never in a customer’s answer, mail, export or webhook. ' +
          'Refusals: ticket_not_found, ticket_transition_not_allowed (409), internal_note_status, attachment_not_found, too_many_attachments (422).',
        params: TicketParams,
        body: ref(TicketStaffMessage),
        response: { 201: ref(Ticket, { description: 'The ticket with the message.' }), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.tickets.service.staffMessage(auditContextOf(request), request.params.ticketId, request.body)),
  )

  app.patch(
    '/admin/tickets/:ticketId',
    {
      config: staff,
      schema: {
        operationId: 'updateTicket',
        tags,
        summary: 'Assign a ticket or change its status',
        description: 'Deadlines stay as set. Audited. Refusals: ticket_not_found, ticket_transition_not_allowed (409), assignee_not_operator (422).',
        params: TicketParams,
        body: ref(TicketStaffUpdate),
        response: { 200: ref(Ticket, { description: 'The ticket.' }), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => app.tickets.service.staffUpdate(auditContextOf(request), request.params.ticketId, request.body),
  )

  app.get(
    '/admin/suppliers/:supplierId/ticket-categories',
    {
      config: staff,
      schema: {
        operationId: 'listAllTicketCategories',
        tags,
        summary: 'A supplier’s ticket categories, inactive ones too',
        description: 'Refusals: supplier_not_found.',
        params: SupplierParams,
        response: { 200: ref(TicketCategoryList, { description: 'Categories.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.tickets.setup.categories(request.params.supplierId, callerOf(request)),
  )

  app.post(
    '/admin/ticket-categories',
    {
      config: staff,
      schema: {
        operationId: 'createTicketCategory',
        tags,
        summary: 'Add a ticket category with its targets',
        description: 'Refusals: supplier_not_found, ticket_category_exists, ticket_category_targets (422). Audited.',
        body: ref(TicketCategoryCreate),
        response: { 201: ref(TicketCategory, { description: 'Created.' }), ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.tickets.setup.createCategory(auditContextOf(request), request.body)),
  )

  app.patch(
    '/admin/ticket-categories/:categoryId',
    {
      config: staff,
      schema: {
        operationId: 'updateTicketCategory',
        tags,
        summary: 'Change a category (open tickets keep their deadlines)',
        description: 'Refusals: ticket_category_not_found, ticket_category_targets (422). Audited.',
        params: CategoryParams,
        body: ref(TicketCategoryUpdate),
        response: { 200: ref(TicketCategory, { description: 'The category.' }), ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request) => app.tickets.setup.updateCategory(auditContextOf(request), request.params.categoryId, request.body),
  )

  app.get(
    '/admin/suppliers/:supplierId/working-calendar',
    {
      config: staff,
      schema: {
        operationId: 'getWorkingCalendar',
        tags,
        summary: 'The supplier’s working hours and special days (support deadlines count in them)',
        description: 'With no hours set, Monday to Friday 09:00–18:00 in the supplier’s time zone. Refusals: supplier_not_found.',
        params: SupplierParams,
        response: { 200: ref(WorkingCalendarBody, { description: 'The calendar.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.tickets.setup.calendar(callerOf(request), request.params.supplierId),
  )

  app.put(
    '/admin/suppliers/:supplierId/working-calendar',
    {
      config: staff,
      schema: {
        operationId: 'setWorkingCalendar',
        tags,
        summary: 'Replace the working calendar',
        description: 'Holidays and moved working days are data. Deadlines already set stay. Refusals: supplier_not_found, working_calendar_invalid (422). Audited.',
        params: SupplierParams,
        body: ref(WorkingCalendarBody),
        response: { 200: ref(WorkingCalendarBody, { description: 'The calendar.' }), ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request) => app.tickets.setup.setCalendar(auditContextOf(request), request.params.supplierId, request.body),
  )
}

export default ticketRoutes
