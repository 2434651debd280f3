import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { statementSchemas } from './schemas.ts'
import service from './service.ts'

export default domain('statements', { schemas: statementSchemas, services: [service], routes: [routes] })
