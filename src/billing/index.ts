import { domain } from '../plugins/app/domain.ts'
import tariffRoutes from './tariff-routes.ts'
import { tariffSchemas } from './tariff-schemas.ts'
import tariffService from './tariff-service.ts'

// Billing: tariffs (and, next, normatives, billing runs, penalties). Pure rules: penalties.ts, tariff-split.ts.
export default domain('billing', {
  schemas: tariffSchemas,
  services: [tariffService],
  routes: [tariffRoutes],
})
