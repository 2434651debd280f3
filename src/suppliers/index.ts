import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { supplierSchemas } from './schemas.ts'
import service from './service.ts'

export default domain('suppliers', { schemas: supplierSchemas, services: [service], routes: [routes] })
