import { domain } from '../plugins/app/domain.ts'
import readiness from './readiness.ts'
import routes from './routes.ts'
import { metaSchemas } from './schemas.ts'

export default domain('meta', { schemas: metaSchemas, services: [readiness], routes: [routes], prefix: '' })
