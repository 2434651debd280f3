import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

const REQUEST_ID = { type: 'string', description: 'The id of this request, also in its problem body and log lines; quote it to support.' }
const RETRY_AFTER = { type: 'integer', description: 'Seconds to wait before trying again.' }

/**
 * Writes the headers every answer carries into the contract: X-Request-Id on all of them,
 * Retry-After on 429 and 503. Registered after the plugins that add responses to routes.
 */
export default fp(
  async function responseHeaders(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const responses = route.schema?.response as Record<string, Record<string, unknown>> | undefined
      if (!responses || route.schema?.hide) return
      const documented: Record<string, Record<string, unknown>> = {}
      for (const [status, response] of Object.entries(responses)) {
        const headers: Record<string, unknown> = { 'x-request-id': REQUEST_ID }
        if (status === '429' || status === '503') headers['retry-after'] = RETRY_AFTER
        documented[status] = { ...response, headers: { ...(response.headers as object | undefined), ...headers } }
      }
      route.schema = { ...route.schema, response: documented }
    })
  },
  { name: 'response-headers', dependencies: ['auth-guard', 'idempotency'] },
)
