import type { FastifyInstance } from 'fastify'
import { NotFoundError } from '../common/errors.ts'
import type { Caller } from './guard.ts'

/**
 * Object-level access to a supplier's data: an admin sees every supplier; an operator or an
 * organization user only their own. Anything else is "not found", never "forbidden", so that
 * ids of other suppliers' objects reveal nothing.
 */
export async function visibleSupplier(app: FastifyInstance, caller: Caller, supplierId: string) {
  const allowed = caller.role === 'admin' || (caller.supplierId !== null && caller.supplierId === supplierId)
  const supplier = allowed ? await app.prisma.supplier.findUnique({ where: { id: supplierId } }) : null
  if (!supplier) throw new NotFoundError('supplier_not_found', 'No such supplier.')
  return supplier
}
