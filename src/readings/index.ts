import { domain } from '../plugins/app/domain.ts'
import reminders from './reminders.ts'
import routes from './routes.ts'
import { readingSchemas } from './schemas.ts'
import service from './service.ts'

export default domain('readings', { schemas: readingSchemas, services: [service, reminders], routes: [routes] })
