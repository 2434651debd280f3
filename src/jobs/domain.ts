import { domain } from '../plugins/app/domain.ts'
import routes from './routes.ts'
import { jobSchemas } from './schemas.ts'

// The admin's view of the queue; the queue itself (index.ts) is part of the platform.
export default domain('jobs', { schemas: jobSchemas, routes: [routes] })
