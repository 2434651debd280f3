import type { Tx } from '../db/transaction.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { callerOf, type Caller } from '../access/guard.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { uuidv7 } from '../common/uuid.ts'

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

/**
 * The INSERT of one audit entry, as a statement of its own or a data-modifying CTE inside a hot
 * path's statement (one round trip fewer): plain SQL, because every write path pays for this row.
 */
export function auditInsert(context: AuditContext, entry: AuditEntry): Prisma.Sql {
  const json = (value: Prisma.InputJsonValue | undefined) => (value === undefined ? null : JSON.stringify(value))
  return Prisma.sql`
    INSERT INTO audit_log (id, "actorId", "actorRole", "supplierId", entity, "entityId", action, before, after, "requestId", ip)
    VALUES (${uuidv7()}::uuid, ${context.caller.userId}::uuid, ${context.caller.role}, ${entry.supplierId}::uuid, ${entry.entity},
            ${entry.entityId}, ${entry.action}, ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb, ${context.requestId}, ${context.ip})`
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: { record(tx: Tx, context: AuditContext, entry: AuditEntry): Promise<void> }
  }
}

/** The audit log: written in the transaction of the change it describes, so neither exists without the other. */
export default fp(
  async function audit(app: FastifyInstance) {
    app.decorate('audit', {
      async record(tx, context, entry) {
        await tx.query(auditInsert(context, entry))
      },
    })
  },
  { name: 'audit', dependencies: ['prisma'] },
)
