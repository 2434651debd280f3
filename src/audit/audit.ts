import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { callerOf, type Caller } from '../access/guard.ts'
import type { Prisma } from '../generated/prisma/client.ts'

/** Who acts, from where, in which request. */
export interface AuditContext {
  caller: Caller
  requestId: string
  ip: string
}

export function auditContextOf(request: FastifyRequest): AuditContext {
  return { caller: callerOf(request), requestId: String(request.id), ip: request.ip }
}

export interface AuditEntry {
  supplierId: string | null
  entity: string
  entityId: string
  action: string
  before?: Prisma.InputJsonValue
  after?: Prisma.InputJsonValue
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: { record(tx: Prisma.TransactionClient, context: AuditContext, entry: AuditEntry): Promise<void> }
  }
}

/** The audit log: written in the transaction of the change it describes, so neither exists without the other. */
export default fp(
  async function audit(app: FastifyInstance) {
    app.decorate('audit', {
      async record(tx, context, entry) {
        await tx.auditLog.create({
          data: {
            actorId: context.caller.userId,
            actorRole: context.caller.role,
            supplierId: entry.supplierId,
            entity: entry.entity,
            entityId: entry.entityId,
            action: entry.action,
            before: entry.before,
            after: entry.after,
            requestId: context.requestId,
            ip: context.ip,
          },
        })
      },
    })
  },
  { name: 'audit', dependencies: ['prisma'] },
)
