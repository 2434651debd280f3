import type { FastifyInstance } from 'fastify'
import { isUuid } from '../common/uuid.ts'
import { NotFoundError } from '../common/errors.ts'
import type { Caller } from './guard.ts'

/**
 * Object-level access to a supplier's data: an admin sees every supplier; an operator or an
 * organization user only their own. Anything else is "not found", never "forbidden", so that
 * ids of other suppliers' objects reveal nothing.
 */

export async function visibleSupplier(app: FastifyInstance, caller: Caller, supplierId: string) {
  // An id that is not a UUID names no supplier (and must not reach the uuid column as a 500).
  const allowed = isUuid(supplierId) && (caller.role === 'admin' || (caller.supplierId !== null && caller.supplierId === supplierId))
  const supplier = allowed ? await app.prisma.supplier.findUnique({ where: { id: supplierId } }) : null
  if (!supplier) throw new NotFoundError('supplier_not_found', 'No such supplier.')
  return supplier
}

/**
 * The supplier a staff listing covers: an admin's choice (checked to exist), or null for every
 * supplier; an operator's own, whatever they ask (another supplier is "not found").
 */
export async function listedSupplier(app: FastifyInstance, caller: Caller, requested: string | undefined): Promise<string | null> {
  if (caller.role === 'admin') {
    if (requested) await visibleSupplier(app, caller, requested)
    return requested ?? null
  }
  if (requested && requested !== caller.supplierId) throw new NotFoundError('supplier_not_found', 'No such supplier.')
  return caller.supplierId
}
