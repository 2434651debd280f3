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
  /** Tells the request that its change was audited (the staff-write check below reads it). */
  markAudited?: () => void
}

export function auditContextOf(request: FastifyRequest): AuditContext {
  return { caller: callerOf(request), requestId: String(request.id), ip: request.ip, markAudited: () => (request.audited = true) }
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
  context.markAudited?.()
  return Prisma.sql`
    INSERT INTO audit_log (id, "actorId", "actorRole", "supplierId", entity, "entityId", action, before, after, "requestId", ip)
    VALUES (${uuidv7()}::uuid, ${context.caller.userId}::uuid, ${context.caller.role}, ${entry.supplierId}::uuid, ${entry.entity},
            ${entry.entityId}, ${entry.action}, ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb, ${context.requestId}, ${context.ip})`
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: { record(tx: Tx, context: AuditContext, entry: AuditEntry): Promise<void> }
  }
  interface FastifyRequest {
    audited: boolean
  }
  interface FastifyContextConfig {
    /** Why a staff write on this route leaves no audit entry of its own (the audited write comes later). */
    auditExempt?: string
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
// A person's own session, password and profile are theirs, not the supplier's data.
const OWN_AFFAIRS = /^\/v1\/(auth|me)(\/|$)/

/** A staff member's successful write: every one must leave an audit entry. */
export function isStaffWrite(request: FastifyRequest, statusCode: number): boolean {
  const role = request.caller?.role
  return (role === 'operator' || role === 'admin') && WRITES.has(request.method) && statusCode < 300 && !OWN_AFFAIRS.test(request.url)
}

/** The audit log: written in the transaction of the change it describes, so neither exists without the other. */
export default fp(
  async function audit(app: FastifyInstance) {
    app.decorate('audit', {
      async record(tx, context, entry) {
        await tx.query(auditInsert(context, entry))
      },
    })
    app.decorateRequest('audited', false)
    // Every staff write is audited: one that answered 2xx without an entry is a defect. Tests
    // (NODE_ENV=test) turn it into a 500, so any test that exercises such a route fails.
    app.addHook('onSend', async (request, reply, payload) => {
      if (!isStaffWrite(request, reply.statusCode) || request.audited || request.routeOptions.config.auditExempt) return payload
      request.log.error({ route: request.routeOptions.url, method: request.method }, 'staff write without an audit entry')
      if (app.config.env !== 'test') return payload
      reply.code(500)
      return JSON.stringify({ code: 'unaudited_staff_write', route: `${request.method} ${request.routeOptions.url}` })
    })
  },
  { name: 'audit', dependencies: ['prisma'] },
)
