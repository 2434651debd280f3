import { domain } from '../plugins/app/domain.ts'
import service from './plugin.ts'
import routes, { TicketSummaryPage } from './routes.ts'
import {
  Ticket,
  TicketAttachment,
  TicketAttachmentList,
  TicketCategory,
  TicketCategoryCreate,
  TicketCategoryList,
  TicketCategoryUpdate,
  TicketCreate,
  TicketCustomerUpdate,
  TicketMessage,
  TicketReply,
  TicketStaffMessage,
  TicketStaffUpdate,
  TicketStatusName,
  TicketSummary,
  WorkingCalendarBody,
} from './schemas.ts'

export default domain('tickets', {
  schemas: [
    TicketStatusName,
    TicketCategory,
    TicketCategoryList,
    TicketCategoryCreate,
    TicketCategoryUpdate,
    WorkingCalendarBody,
    TicketAttachment,
    TicketAttachmentList,
    TicketMessage,
    TicketSummary,
    Ticket,
    TicketCreate,
    TicketReply,
    TicketStaffMessage,
    TicketCustomerUpdate,
    TicketStaffUpdate,
    TicketSummaryPage,
  ],
  services: [service],
  routes: [routes],
})
