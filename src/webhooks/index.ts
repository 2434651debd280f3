import { domain } from '../plugins/app/domain.ts'
import { webhookEventSchemas } from './event-schemas.ts'
import service from './plugin.ts'
import routes, { WebhookAttemptPage, WebhookDeliveryPage, WebhookEndpointPage } from './routes.ts'
import {
  EventTypeName,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointCreated,
  WebhookEndpointUpdate,
  WebhookRedeliverFailed,
  WebhookRedeliveryCount,
  WebhookSecretRotated,
  WebhookTestSent,
} from './schemas.ts'

export default domain('webhooks', {
  schemas: [
    EventTypeName,
    WebhookEndpointCreate,
    WebhookEndpointUpdate,
    WebhookEndpoint,
    WebhookEndpointCreated,
    WebhookSecretRotated,
    WebhookDelivery,
    WebhookAttempt,
    WebhookRedeliverFailed,
    WebhookRedeliveryCount,
    WebhookTestSent,
    WebhookEndpointPage,
    WebhookDeliveryPage,
    WebhookAttemptPage,
    ...webhookEventSchemas,
  ],
  services: [service],
  routes: [routes],
})
