import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createSecretBox } from '../common/secret-box.ts'
import { PROJECT_ROOT } from '../paths.ts'
import { createDelivery, deliverJob, DELIVER_TASK } from './delivery.ts'
import { webhooksSection } from './event-schemas.ts'
import { KICK_TASK } from './events.ts'
import { createSender } from './sender.ts'
import { createWebhookService, type WebhookService } from './service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookService
  }
}

const PRUNE_TASK = 'webhooks:prune'
const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }

/**
 * Outgoing webhooks: endpoint management and the delivery jobs. Events are written by the
 * domains themselves (events.ts) in their own transactions; a kick job turns the endpoints that
 * got deliveries into their delivery jobs, one queue per endpoint.
 */
export default fp(
  async function webhooksService(app: FastifyInstance) {
    const { resolve, allowPrivate, timeoutMs, retentionDays } = app.config.webhooks
    const box = createSecretBox(app.config.dataEncryptionKey)
    const sender = createSender({ resolve, allowPrivate, timeoutMs, userAgent: `Abonent-Webhooks/${version}` })
    const delivery = createDelivery(app, sender, box)

    // A waiting delivery job keeps its run time: if it waits for a retry, newer events wait behind it anyway.
    app.jobs.define(KICK_TASK, async (payload) => {
      // The endpoints' jobs as deliverJob makes them, queued in one statement.
      const jobs = (Array.isArray(payload.endpointIds) ? payload.endpointIds : []).map((id) => deliverJob(String(id)))
      await app.db.sql`
        SELECT graphile_worker.add_job(${DELIVER_TASK}::text, j.payload, queue_name := j.queue, job_key := j.key,
          job_key_mode := 'preserve_run_at', max_attempts := j.attempts)
        FROM unnest(${jobs.map((j) => JSON.stringify(j.payload))}::json[], ${jobs.map((j) => j.queue!)}::text[], ${jobs.map((j) => j.key!)}::text[],
          ${jobs.map((j) => j.maxAttempts!)}::int[]) AS j(payload, queue, key, attempts)`
    })
    app.jobs.define(DELIVER_TASK, async (payload) => delivery.deliver(String(payload.endpointId)))

    // Finished deliveries (and their attempts) leave after WEBHOOK_RETENTION_DAYS, then events nobody waits for.
    app.jobs.define(PRUNE_TASK, async () => {
      const before = new Date(app.config.clock.now().getTime() - retentionDays * 86_400_000)
      for (;;) {
        const [row] = await app.db.sql<{ n: number }>`
          WITH old AS (
            SELECT d.id FROM webhook_delivery d JOIN webhook_event e ON e.id = d."eventId"
            WHERE d.status IN ('succeeded', 'failed') AND e."occurredAt" < ${before} LIMIT 5000),
          gone AS (DELETE FROM webhook_delivery d USING old WHERE d.id = old.id RETURNING 1)
          SELECT count(*)::int AS n FROM gone`
        if (row!.n < 5000) break
      }
      await app.db.sql`
        DELETE FROM webhook_event e WHERE e."occurredAt" < ${before} AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d."eventId" = e.id)`
    })
    app.jobs.schedule(PRUNE_TASK, '17 3 * * *')

    app.decorate('webhooks', createWebhookService(app, box))
    app.contract.addWebhooks(webhooksSection())
    app.addHook('onClose', async () => sender.close())
  },
  { name: 'webhooks-service', dependencies: ['prisma', 'jobs', 'mail', 'audit', 'swagger'] },
)
