import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { importSchemas } from './schemas.ts'
import service from './service.ts'

export default domain('imports', { schemas: importSchemas, services: [service], routes: [routes] })
