import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { DomainError } from '../../common/errors.ts'
import { describeWindow, describeWindowRu } from '../../common/wording.ts'

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
      // The plugin's `after` is the time left; the caller needs the window (Retry-After has the rest).
      errorResponseBuilder: (request, context) => {
        const own = (request.routeOptions.config as { rateLimit?: { timeWindow?: unknown } }).rateLimit?.timeWindow
        const windowMs = typeof own === 'number' ? own : app.config.rateLimit.windowMs
        return new DomainError(
          context.statusCode,
          'rate_limited',
          'Too many requests',
          `Rate limit exceeded: at most ${context.max} requests per ${describeWindow(windowMs)} from one address. Retry-After says when to try again.`,
        ).inRussian(`Превышен предел: не больше ${context.max} запросов за ${describeWindowRu(windowMs)} с одного адреса. Retry-After подскажет, когда повторить.`)
      },
    })
  },
  { name: 'rate-limit', dependencies: ['config'] },
)
