import { domain } from '../plugins/app/domain.ts'
import apiKeyRoutes from './api-key-routes.ts'
import routes from './routes.ts'
import { aggregatorSchemas } from './schemas.ts'
import service from './service.ts'

export default domain('aggregator', { schemas: aggregatorSchemas, services: [service], routes: [routes, apiKeyRoutes] })
