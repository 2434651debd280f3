import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { meSchemas } from './schemas.ts'
import service from './service.ts'

export default domain('me', { schemas: meSchemas, services: [service], routes: [routes] })
