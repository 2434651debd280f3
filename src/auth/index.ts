import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { authSchemas } from './schemas.ts'
import service from './service.ts'

export default domain('auth', { schemas: authSchemas, services: [service], routes: [routes] })
