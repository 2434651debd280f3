import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

// Sheds load with 503 `service_unavailable` when the event loop stalls, instead of queueing forever.
export default fp(
  async function underPressurePlugin(app: FastifyInstance) {
    await app.register(underPressure, {
      maxEventLoopDelay: app.config.maxEventLoopDelayMs,
      retryAfter: 10,
      exposeStatusRoute: false,
    })
  },
  { name: 'under-pressure', dependencies: ['config'] },
)
