import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { invoiceSchemas } from './schemas.ts'
import issuing from './issuing.ts'
import service from './service.ts'

export default domain('invoices', { schemas: invoiceSchemas, services: [service, issuing], routes: [routes] })
