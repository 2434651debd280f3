import type { AuditContext } from '../audit/audit.ts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Caller } from '../access/guard.ts'
import { normalizeEmail, normalizePhone } from '../auth/identity.ts'
import { visibleSupplier } from '../access/scope.ts'
import { readableCode, temporaryPassword } from '../auth/tokens.ts'
import { ConflictError, UnprocessableError } from '../common/errors.ts'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import type { User } from '../generated/prisma/client.ts'
import type { ManagedUser, OperatorCreate, OrganizationCreate } from './schemas.ts'

export function managedUserOf(user: User): ManagedUser {
  return {
    id: user.id,
    role: user.role,
    supplierId: user.supplierId,
    email: user.email,
    phone: user.phone,
    surname: user.surname,
    givenNames: user.givenNames,
    orgCode: user.orgCode,
    mustChangePassword: user.mustChangePassword,
    createdAt: user.createdAt.toISOString(),
  }
}

/** Users issued by staff: operators (by admins) and organizations (by their supplier's operators). */
function createStaffService(app: FastifyInstance) {
  async function assertEmailFree(email: string | null): Promise<void> {
    if (email && (await app.prisma.user.count({ where: { email } })) > 0) {
      throw new ConflictError('email_taken', 'A user with this email already exists.')
    }
  }

  return {
    async createOperator(caller: Caller, supplierId: string, input: OperatorCreate, audit: AuditContext) {
      const supplier = await visibleSupplier(app, caller, supplierId)
      const email = normalizeEmail(input.email)
      await assertEmailFree(email)
      const password = temporaryPassword()
      const user = await app.transaction(async (tx) => {
        const created = await tx.user.create({
        data: {
          role: 'operator',
          supplierId: supplier.id,
          email,
          // Issued by an admin for a known person: the address is taken as confirmed.
          emailConfirmedAt: app.config.clock.now(),
          surname: input.surname.trim(),
          givenNames: input.givenNames?.trim() || null,
          passwordHash: await app.auth.hashPassword(password),
          mustChangePassword: true,
        },
        })
        await app.audit.record(tx, audit, { supplierId: supplier.id, entity: 'user', entityId: created.id, action: 'create', after: { role: 'operator', email } })
        return created
      })
      return { user: managedUserOf(user), login: email, temporaryPassword: password }
    },

    async createOrganization(caller: Caller, supplierId: string, input: OrganizationCreate, audit: AuditContext) {
      const supplier = await visibleSupplier(app, caller, supplierId)
      const email = input.email ? normalizeEmail(input.email) : null
      const phone = input.phone ? normalizePhone(input.phone) : null
      if (input.phone && !phone) throw new UnprocessableError('phone_invalid', 'The phone number is not valid; use +7XXXXXXXXXX.')
      await assertEmailFree(email)
      const password = temporaryPassword()
      const passwordHash = await app.auth.hashPassword(password)
      // Codes are random, so a collision is rare; retry a few times rather than fail the operator.
      for (let attempt = 0; ; attempt++) {
        try {
          const user = await app.transaction(async (tx) => {
            const created = await tx.user.create({
            data: {
              role: 'organization',
              supplierId: supplier.id,
              orgCode: `ORG-${readableCode(8)}`,
              email,
              emailConfirmedAt: email ? app.config.clock.now() : null,
              phone,
              surname: input.name.trim(),
              passwordHash,
              mustChangePassword: true,
            },
            })
            await app.audit.record(tx, audit, {
              supplierId: supplier.id,
              entity: 'user',
              entityId: created.id,
              action: 'create',
              after: { role: 'organization', orgCode: created.orgCode, name: created.surname, email },
            })
            return created
          })
          return { user: managedUserOf(user), login: user.orgCode!, temporaryPassword: password }
        } catch (error) {
          const target = JSON.stringify((error as { meta?: unknown }).meta ?? '')
          if ((error as { code?: string }).code !== 'P2002' || !target.includes('orgCode') || attempt >= 4) throw error
        }
      }
    },

    async listOrganizations(caller: Caller, supplierId: string, { limit = DEFAULT_PAGE_SIZE, cursor }: PageQuery) {
      await visibleSupplier(app, caller, supplierId)
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined
      const rows = await app.prisma.user.findMany({
        where: { supplierId, role: 'organization', deletedAt: null, ...(after ? { id: { gt: after[0] } } : {}) },
        orderBy: { id: 'asc' },
        take: limit + 1,
      })
      return pageOf(rows, limit, (u) => [u.id], managedUserOf)
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    staff: ReturnType<typeof createStaffService>
  }
}

export default fp(
  async function staffService(app: FastifyInstance) {
    app.decorate('staff', createStaffService(app))
  },
  { name: 'staff-service', dependencies: ['prisma', 'auth-service'] },
)
