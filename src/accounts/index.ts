import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { accountSchemas } from './schemas.ts'
import service from './service.ts'

export default domain('accounts', { schemas: accountSchemas, services: [service], routes: [routes] })
