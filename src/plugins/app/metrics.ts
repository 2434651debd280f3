import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { QueueStats } from '../../jobs/stats.ts'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry
  }
}

/**
 * Prometheus metrics, one registry per app instance (tests build many apps in one process).
 * Labelled by route template, never by raw URL, so cardinality stays bounded.
 */
export default fp(
  async function metricsPlugin(app: FastifyInstance) {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const labelNames = ['method', 'route', 'status_code'] as const
    const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] })
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    })
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        this.set({ state: 'total' }, app.pgPool.totalCount)
        this.set({ state: 'idle' }, app.pgPool.idleCount)
        this.set({ state: 'waiting' }, app.pgPool.waitingCount)
      },
    })

    // The job queue, read once per scrape (the registry collects in registration order, so the
    // second gauge reads what the first one fetched): the backlog and the failures to alert on.
    let queue: Promise<QueueStats | null> = Promise.resolve(null)
    new Gauge({
      name: 'jobs',
      help: 'Background jobs by state (waiting: due and not taken; failed: used all attempts)',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        queue = app.jobs.stats().catch(() => null)
        const stats = await queue
        if (!stats) return
        for (const state of ['waiting', 'running', 'scheduled', 'failed'] as const) this.set({ state }, stats[state])
      },
    })
    new Gauge({
      name: 'jobs_oldest_waiting_seconds',
      help: 'How long the oldest due job has waited for a worker',
      registers: [registry],
      async collect() {
        const stats = await queue
        if (stats) this.set(stats.oldestWaitingSeconds)
      },
    })
    app.decorate('metrics', registry)
    app.addHook('onResponse', async (request, reply) => {
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      }
      requests.inc(labels)
      duration.observe(labels, reply.elapsedTime / 1000)
    })
  },
  { name: 'metrics', dependencies: ['prisma', 'jobs'] },
)
