import { domain } from '../plugins/app/domain.ts'
import chargeRoutes from './charge-routes.ts'
import { chargeSchemas } from './charge-schemas.ts'
import referenceRoutes from './reference-routes.ts'
import { referenceSchemas } from './reference-schemas.ts'
import referenceService from './reference-service.ts'
import billingRunRoutes from './run-routes.ts'
import { runSchemas } from './run-schemas.ts'
import billingRunService from './run-service.ts'
import tariffRoutes from './tariff-routes.ts'
import { tariffSchemas } from './tariff-schemas.ts'
import tariffService from './tariff-service.ts'

// Billing: tariffs, normatives, increasing coefficients, key rates billing runs (next: penalty lines, charge imports). Pure rules: penalties.ts, tariff-split.ts.
export default domain('billing', {
  schemas: [...tariffSchemas, ...referenceSchemas, ...runSchemas, ...chargeSchemas],
  services: [tariffService, referenceService, billingRunService],
  routes: [tariffRoutes, referenceRoutes, billingRunRoutes, chargeRoutes],
})
