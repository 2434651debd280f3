import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { ContactList, ContactsInput, FaqInput, FaqList, Office, OfficeList, OfficesInput } from './schemas.ts'
import { createHelpService, type HelpService } from './service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    help: HelpService
  }
}

const service = fp(async (app: FastifyInstance) => void app.decorate('help', createHelpService(app)), { name: 'help-service', dependencies: ['prisma', 'audit'] })

export default domain('help', { schemas: [OfficesInput, Office, OfficeList, ContactsInput, ContactList, FaqInput, FaqList], services: [service], routes: [routes] })
