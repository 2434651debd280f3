import { domain } from '../plugins/app/domain.ts'
import autopay from './autopay.ts'
import autopayRoutes from './autopay-routes.ts'
import { autopaySchemas } from './autopay-schemas.ts'
import notificationRoutes, { PaymentNotificationPage, PaymentNotificationView } from './notification-routes.ts'
import notifications from './notifications.ts'
import reconciliationRoutes from './reconciliation-routes.ts'
import { reconciliationSchemas } from './reconciliation-schemas.ts'
import reconciliations from './reconciliation.ts'
import providerAccountRoutes, { ProviderAccountInput, ProviderAccountView } from './provider-account-routes.ts'
import routes from './routes.ts'
import sandboxRoutes from './sandbox-routes.ts'
import { paymentSchemas } from './schemas.ts'
import service from './service.ts'
import webhookRoutes from './webhook-routes.ts'

export default domain('payments', {
  schemas: [...paymentSchemas, ProviderAccountInput, ProviderAccountView, PaymentNotificationView, PaymentNotificationPage, ...reconciliationSchemas, ...autopaySchemas],
  services: [service, notifications, reconciliations, autopay],
  routes: [routes, webhookRoutes, sandboxRoutes, providerAccountRoutes, notificationRoutes, reconciliationRoutes, autopayRoutes],
})
