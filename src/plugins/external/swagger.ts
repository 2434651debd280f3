import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { PROJECT_ROOT } from '../../paths.ts'

const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }

const DESCRIPTION = `Self-service personal account of the customers of utility suppliers, and the back office behind it.

Conventions: JSON in and out; money and quantities are decimal strings; timestamps are RFC 3339 UTC;
periods are YYYY-MM. Errors are RFC 9457 \`application/problem+json\` with a stable \`code\`.
Lists are cursor-paginated: \`?limit=&cursor=\` → \`{ items, nextCursor }\`. Every response carries \`X-Request-Id\`.`

declare module 'fastify' {
  interface FastifyInstance {
    /** What the contract says beyond the routes: a domain adds the requests it sends (OpenAPI 3.1 `webhooks`). */
    contract: { addWebhooks(section: Record<string, unknown>): void }
  }
}

/** The contract: OpenAPI 3.1 generated from the route schemas, at /openapi.json and /docs. */
export default fp(
  async function swaggerPlugin(app: FastifyInstance) {
    const webhooks: Record<string, unknown> = {}
    app.decorate('contract', { addWebhooks: (section: Record<string, unknown>) => void Object.assign(webhooks, section) })
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'Abonent API', version, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
        servers: [{ url: '/', description: 'This installation' }],
        tags: [
          { name: 'meta', description: 'Liveness, readiness, metrics.' },
          { name: 'suppliers', description: 'Utility suppliers served by this installation.' },
          { name: 'auth', description: 'Registration, login, tokens, password recovery.' },
          { name: 'me', description: 'The signed-in person: profile, sessions, personal data.' },
          { name: 'accounts', description: 'Accounts (лицевые счета): linking, balance, meters.' },
          { name: 'readings', description: 'Meter readings: submission window, validation with reasons, corrections, history.' },
          { name: 'admin', description: 'Back office: staff and organization users (operators, admins).' },
          { name: 'help', description: 'A supplier’s public help: offices (nearest first), contacts, questions and answers.' },
          { name: 'tickets', description: 'Support: tickets with files, the operators’ queue with service-level deadlines.' },
          {
            name: 'webhooks',
            description:
              'Outgoing webhooks (Standard Webhooks): endpoints, secrets, the delivery log. The events themselves are in the top-level `webhooks` section.',
          },
        ],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT',
              description: 'Access token from POST /v1/auth/login; 15 minutes by default, renewed with POST /v1/auth/refresh.',
            },
            webhookSignature: {
              type: 'apiKey',
              in: 'header',
              name: 'webhook-signature',
              description:
                'How a receiver knows an event is ours (Standard Webhooks): verify webhook-signature over "{webhook-id}.{webhook-timestamp}.{body}" with the endpoint’s whsec_ secret, e.g. with the standardwebhooks package.',
            },
            apiKey: {
              type: 'apiKey',
              in: 'header',
              name: 'X-Api-Key',
              description: 'A bank’s or aggregator’s key for one supplier (POST /v1/admin/api-keys), with scopes accounts:lookup and/or payments:write.',
            },
          },
        },
      },
      transformObject: (document) => {
        const openapiObject = 'openapiObject' in document ? document.openapiObject : document.swaggerObject
        // The section's shape is the domain's (OpenAPI path items); the plugin's types cannot see it.
        return Object.keys(webhooks).length > 0 ? ({ ...openapiObject, webhooks: { ...webhooks } } as typeof openapiObject) : openapiObject
      },
      // Shared schemas keep their $id as their component name (never def-0, def-1, ...).
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    })

    app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger())

    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      uiConfig: { deepLinking: true, displayRequestDuration: true },
    })
  },
  { name: 'swagger' },
)
