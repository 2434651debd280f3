import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * A per-IP ceiling on every route (routes may set a stricter `config.rateLimit`; probes opt out).
 * The error becomes a 429 problem `rate_limited`; the plugin sets Retry-After.
 */
export default fp(
  async function rateLimitPlugin(app: FastifyInstance) {
    await app.register(rateLimit, {
      global: true,
      max: app.config.rateLimit.max,
      timeWindow: app.config.rateLimit.windowMs,
      errorResponseBuilder: (_request, context) => {
        const error = new Error(`Rate limit exceeded: at most ${context.max} requests per ${context.after}. Retry later.`) as Error & {
          statusCode: number
        }
        error.statusCode = context.statusCode
        return error
      },
    })
  },
  { name: 'rate-limit', dependencies: ['config'] },
)
