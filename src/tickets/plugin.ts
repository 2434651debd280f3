import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createTicketService, type TicketService } from './service.ts'
import { createSupportSetup, type SupportSetup } from './setup.ts'

declare module 'fastify' {
  interface FastifyInstance {
    tickets: { service: TicketService; setup: SupportSetup }
  }
}

const SLA_TASK = 'tickets:sla'
const PRUNE_TASK = 'tickets:prune-uploads'

/** Support: tickets and their files, the supplier's categories and calendar, the SLA watch. */
export default fp(
  async function ticketsService(app: FastifyInstance) {
    const service = createTicketService(app)
    app.decorate('tickets', { service, setup: createSupportSetup(app) })
    app.jobs.define(SLA_TASK, async () => void (await service.flagBreaches()))
    app.jobs.schedule(SLA_TASK, '* * * * *', { maxAttempts: 1 })
    app.jobs.define(PRUNE_TASK, async () => void (await service.pruneUploads()))
    app.jobs.schedule(PRUNE_TASK, '41 * * * *', { maxAttempts: 1 })
  },
  { name: 'tickets-service', dependencies: ['prisma', 'jobs', 'mail', 'audit', 'storage'] },
)
