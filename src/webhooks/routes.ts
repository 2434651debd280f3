import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { auditContextOf } from '../audit/audit.ts'
import { NoContent, Page, Uuid, problems, ref } from '../common/schemas.ts'
import {
  WebhookAttempt,
  WebhookAttemptListQuery,
  WebhookDelivery,
  WebhookDeliveryListQuery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointCreated,
  WebhookEndpointListQuery,
  WebhookEndpointUpdate,
  WebhookRedeliverFailed,
  WebhookRedeliveryCount,
  WebhookSecretRotated,
  WebhookTestSent,
} from './schemas.ts'

export const WebhookEndpointPage = Page(WebhookEndpoint)
export const WebhookDeliveryPage = Page(WebhookDelivery)
export const WebhookAttemptPage = Page(WebhookAttempt)

const EndpointParams = Type.Object({ endpointId: Uuid }, { additionalProperties: false })
const DeliveryParams = Type.Object({ endpointId: Uuid, deliveryId: Uuid }, { additionalProperties: false })

/** A supplier's webhook endpoints, for its operators and for admins. */
const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['webhooks']
  const staff = { auth: { roles: ['operator', 'admin'] } } as const
  const base = '/admin/webhook-endpoints'

  app.get(
    base,
    {
      config: staff,
      schema: {
        operationId: 'listWebhookEndpoints',
        tags,
        summary: 'A supplier’s webhook endpoints',
        description: 'Refusals: supplier_not_found.',
        querystring: WebhookEndpointListQuery,
        response: { 200: ref(WebhookEndpointPage, { description: 'A page of endpoints.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.webhooks.list(auditContextOf(request), request.query),
  )

  app.post(
    base,
    {
      config: staff,
      schema: {
        operationId: 'createWebhookEndpoint',
        tags,
        summary: 'Add an endpoint that receives the supplier’s events',
        description:
          'The answer carries the signing secret, once. The URL must be https and resolve only to public addresses (webhook_url_not_allowed, webhook_url_unresolvable). Refusals: supplier_not_found. Audited.',
        body: ref(WebhookEndpointCreate),
        response: { 201: ref(WebhookEndpointCreated, { description: 'Created; store the secret now.' }), ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.webhooks.create(auditContextOf(request), request.body)),
  )

  app.get(
    `${base}/:endpointId`,
    {
      config: staff,
      schema: {
        operationId: 'getWebhookEndpoint',
        tags,
        summary: 'One endpoint (never its secret)',
        description: 'Refusals: webhook_endpoint_not_found.',
        params: EndpointParams,
        response: { 200: ref(WebhookEndpoint, { description: 'The endpoint.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.webhooks.get(auditContextOf(request), request.params.endpointId),
  )

  app.patch(
    `${base}/:endpointId`,
    {
      config: staff,
      schema: {
        operationId: 'updateWebhookEndpoint',
        tags,
        summary: 'Change an endpoint, disable or enable it',
        description:
          'Enabling sends what waited, in order, each on a fresh retry schedule. A disabled endpoint receives no new events, unless it was disabled for failing (those wait for it). Refusals: webhook_endpoint_not_found, webhook_url_not_allowed, webhook_url_unresolvable. Audited.',
        params: EndpointParams,
        body: ref(WebhookEndpointUpdate),
        response: { 200: ref(WebhookEndpoint, { description: 'The endpoint.' }), ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request) => app.webhooks.update(auditContextOf(request), request.params.endpointId, request.body),
  )

  app.delete(
    `${base}/:endpointId`,
    {
      config: staff,
      schema: {
        operationId: 'deleteWebhookEndpoint',
        tags,
        summary: 'Remove an endpoint with its deliveries and log',
        description: 'Refusals: webhook_endpoint_not_found. Audited.',
        params: EndpointParams,
        response: { 204: NoContent('Removed.'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await app.webhooks.remove(auditContextOf(request), request.params.endpointId)
      return reply.code(204).send(null)
    },
  )

  app.post(
    `${base}/:endpointId/rotate-secret`,
    {
      config: staff,
      schema: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: 'Replace the signing secret',
        description:
          'The new secret signs from now on; the old one signs too (a second signature in webhook-signature) for WEBHOOK_ROTATION_HOURS, so the receiver can switch without losing events. Refusals: webhook_endpoint_not_found. Audited.',
        params: EndpointParams,
        response: { 200: ref(WebhookSecretRotated, { description: 'The new secret, shown once.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.webhooks.rotateSecret(auditContextOf(request), request.params.endpointId),
  )

  app.post(
    `${base}/:endpointId/test`,
    {
      config: staff,
      schema: {
        operationId: 'sendWebhookTest',
        tags,
        summary: 'Send a webhook.test event to this endpoint',
        description:
          'Queued behind what the endpoint is already due to receive, signed and logged like any event; follow it in the deliveries or attempts. Refusals: webhook_endpoint_not_found, webhook_endpoint_disabled.',
        params: EndpointParams,
        response: { 202: ref(WebhookTestSent, { description: 'Queued.' }), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await app.webhooks.sendTest(auditContextOf(request), request.params.endpointId)),
  )

  app.get(
    `${base}/:endpointId/deliveries`,
    {
      config: staff,
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'The endpoint’s events and where each stands',
        description: 'Newest first, with the body as sent. Refusals: webhook_endpoint_not_found.',
        params: EndpointParams,
        querystring: WebhookDeliveryListQuery,
        response: { 200: ref(WebhookDeliveryPage, { description: 'A page of deliveries.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.webhooks.deliveries(auditContextOf(request), request.params.endpointId, request.query),
  )

  app.get(
    `${base}/:endpointId/attempts`,
    {
      config: staff,
      schema: {
        operationId: 'listWebhookAttempts',
        tags,
        summary: 'The delivery log: every attempt, its answer and duration',
        description: 'Newest first; the first 1 KiB of each answer. Refusals: webhook_endpoint_not_found.',
        params: EndpointParams,
        querystring: WebhookAttemptListQuery,
        response: { 200: ref(WebhookAttemptPage, { description: 'A page of attempts.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.webhooks.attempts(auditContextOf(request), request.params.endpointId, request.query),
  )

  app.post(
    `${base}/:endpointId/deliveries/:deliveryId/redeliver`,
    {
      config: staff,
      schema: {
        operationId: 'redeliverWebhook',
        tags,
        summary: 'Send one event again',
        description:
          'Any delivery, even one that arrived; it keeps its place in the order and starts a fresh retry schedule. Refusals: webhook_endpoint_not_found, webhook_delivery_not_found, webhook_delivery_in_flight. Audited.',
        params: DeliveryParams,
        response: { 202: ref(WebhookDelivery, { description: 'Queued.' }), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await app.webhooks.redeliver(auditContextOf(request), request.params.endpointId, request.params.deliveryId)),
  )

  app.post(
    `${base}/:endpointId/redeliver`,
    {
      config: staff,
      schema: {
        operationId: 'redeliverFailedWebhooks',
        tags,
        summary: 'Send every failed event since a moment again',
        description: 'Refusals: webhook_endpoint_not_found. Audited.',
        params: EndpointParams,
        body: ref(WebhookRedeliverFailed),
        response: { 202: ref(WebhookRedeliveryCount, { description: 'How many were queued.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.code(202).send(await app.webhooks.redeliverFailed(auditContextOf(request), request.params.endpointId, request.body.since)),
  )
}

export default webhookRoutes
