import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { createHash, timingSafeEqual } from 'node:crypto'
import { DomainError, UnauthorizedError } from '../common/errors.ts'
import { probeProblems, ref } from '../common/schemas.ts'
import { Health, ReadinessReport } from './schemas.ts'

/** Compares secrets in constant time (hashing first makes the lengths equal). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

// Probes are never rate limited: an orchestrator polling them must not be told 429.
const probe = { rateLimit: false } as const

const metaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      config: probe,
      schema: {
        operationId: 'getHealth',
        tags: ['meta'],
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: ref(Health, { description: 'The process is alive.' }), ...probeProblems() },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/ready',
    {
      config: probe,
      schema: {
        operationId: 'getReadiness',
        tags: ['meta'],
        summary: 'Readiness: the database answers and every migration is applied; the job queue backlog',
        description: 'Answers 503 `not_ready` with `checks` naming what is missing.',
        security: [],
        response: { 200: ref(ReadinessReport, { description: 'Ready to serve.' }), ...probeProblems(503) },
      },
    },
    async () => {
      const readiness = await app.readiness.check()
      if (readiness.database !== 'ok' || readiness.migrations !== 'ok') {
        const detail =
          readiness.database !== 'ok'
            ? 'The database does not answer.'
            : `Migrations not applied: ${readiness.pendingMigrations.join(', ')}.`
        throw new DomainError(503, 'not_ready', 'Not ready', detail, { checks: readiness })
      }
      return { status: 'ready' as const, checks: { database: 'ok' as const, migrations: 'ok' as const }, queue: await app.jobs.stats() }
    },
  )

  app.get(
    '/metrics',
    {
      config: probe,
      schema: {
        operationId: 'getMetrics',
        tags: ['meta'],
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Open unless METRICS_TOKEN is configured; then `Authorization: Bearer <METRICS_TOKEN>` is needed (401 otherwise).',
        security: [],
        produces: ['text/plain'],
        response: {
          200: {
            description: 'Metrics in the Prometheus text format 0.0.4.',
            content: { 'text/plain; version=0.0.4': { schema: Type.String() } },
          },
          ...probeProblems(401),
        },
      },
    },
    async (request, reply) => {
      const token = app.config.metricsToken
      if (token && !sameSecret(request.headers.authorization ?? '', `Bearer ${token}`)) {
        throw new UnauthorizedError('unauthorized', 'Metrics need Authorization: Bearer <METRICS_TOKEN>.')
      }
      reply.type(app.metrics.contentType)
      return app.metrics.metrics()
    },
  )
}

export default metaRoutes
