import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { decodeCursor, pageOf } from '../common/cursor.ts'
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../common/schemas.ts'
import type { Supplier } from '../generated/prisma/client.ts'
import { accountNumberFormatOf } from './account-number.ts'
import type { PublicSupplier } from './schemas.ts'
import { LINK_PROOF_LABELS } from './link-proof.ts'

function toPublic(supplier: Supplier): PublicSupplier {
  return {
    id: supplier.id,
    code: supplier.code,
    name: supplier.name,
    shortName: supplier.shortName,
    services: supplier.services,
    accountNumberFormat: accountNumberFormatOf(supplier),
    readingWindow: { startDay: supplier.readingWindowStartDay, endDay: supplier.readingWindowEndDay },
    timeZone: supplier.timeZone,
    linkProof: { kind: supplier.linkProof, ...LINK_PROOF_LABELS[supplier.linkProof] },
  }
}

export function createSuppliersService(app: FastifyInstance) {
  return {
    /** Suppliers ordered by name, then id (names may repeat), keyset-paginated. */
    async listPublic({ limit = DEFAULT_PAGE_SIZE, cursor }: PageQuery): Promise<{ items: PublicSupplier[]; nextCursor: string | null }> {
      const after = cursor ? (decodeCursor(cursor, ['string', 'string']) as [string, string]) : undefined
      const rows = await app.prisma.supplier.findMany({
        where: after ? { OR: [{ name: { gt: after[0] } }, { name: after[0], id: { gt: after[1] } }] } : {},
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        take: limit + 1,
      })
      return pageOf(rows, limit, (s) => [s.name, s.id], toPublic)
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    suppliers: ReturnType<typeof createSuppliersService>
  }
}

export default fp(
  async function suppliersService(app: FastifyInstance) {
    app.decorate('suppliers', createSuppliersService(app))
  },
  { name: 'suppliers-service', dependencies: ['prisma'] },
)
