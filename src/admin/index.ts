import { domain } from '../plugins/app/domain.ts'
import accountCardRoutes, { AccountHitPage, SupplierListPage, accountCardService } from './account-card-routes.ts'
import { AccountCard, AccountHit, SupplierListItem } from './account-card-schemas.ts'
import registryRoutes from './registry-routes.ts'
import { registerAdminSchemas } from './registry-schemas.ts'
import registryService from './registry-service.ts'
import { adminSchemas } from './schemas.ts'
import staffRoutes from './staff-routes.ts'
import staffService from './staff-service.ts'
import supplierRoutes from './supplier-routes.ts'
import { supplierAdminSchemas } from './supplier-schemas.ts'
import supplierService from './supplier-service.ts'

// The back office: staff and organization logins, suppliers' settings, the supplier's register of accounts.
export default domain('admin', {
  schemas: [...adminSchemas, ...supplierAdminSchemas, ...registerAdminSchemas, AccountHit, AccountHitPage, AccountCard, SupplierListItem, SupplierListPage],
  services: [staffService, supplierService, registryService, accountCardService],
  routes: [staffRoutes, supplierRoutes, registryRoutes, accountCardRoutes],
})
