import { domain } from '../plugins/app/domain.ts'
import printBatchRoutes from './print-batch-routes.ts'
import printBatches from './print-batch.ts'
import routes from './routes.ts'
import { invoiceSchemas } from './schemas.ts'
import issuing from './issuing.ts'
import service from './service.ts'

export default domain('invoices', { schemas: invoiceSchemas, services: [service, printBatches, issuing], routes: [routes, printBatchRoutes] })
