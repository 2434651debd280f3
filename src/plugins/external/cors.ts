import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

// Browsers' frontends are served from origins listed in CORS_ORIGINS; none are allowed by default.
export default fp(
  async function corsPlugin(app: FastifyInstance) {
    await app.register(cors, {
      origin: app.config.corsOrigins.length > 0 ? app.config.corsOrigins : false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-Api-Key'],
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Location', 'Idempotency-Replayed', 'Allow'],
      maxAge: 600,
    })
  },
  { name: 'cors', dependencies: ['config'] },
)
