import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { auditContextOf } from '../audit/audit.ts'
import { callerOf } from '../access/guard.ts'
import { Uuid, problems, ref } from '../common/schemas.ts'
import { SupplierCreate, SupplierDetails, SupplierUpdate } from './supplier-schemas.ts'

const SupplierParams = Type.Object({ supplierId: Uuid }, { additionalProperties: false })

const supplierAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin']

  app.post(
    '/admin/suppliers',
    {
      config: { auth: { roles: ['admin'] } },
      schema: {
        operationId: 'createSupplier',
        tags,
        summary: 'Add a supplier to the installation (admin)',
        description: 'Requisites are checked with their control digits; the account-number example must match its pattern.',
        body: ref(SupplierCreate),
        response: { 201: ref(SupplierDetails, { description: 'Created.' }), ...problems(400, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.supplierAdmin.create(request.body, auditContextOf(request))),
  )

  app.get(
    '/admin/suppliers/:supplierId',
    {
      config: { auth: { roles: ['operator', 'admin'] } },
      schema: {
        operationId: 'getSupplierSettings',
        tags,
        summary: "A supplier's settings and requisites (its operators, or admins)",
        params: SupplierParams,
        response: { 200: ref(SupplierDetails, { description: 'The supplier.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.supplierAdmin.get(callerOf(request), request.params.supplierId),
  )

  app.patch(
    '/admin/suppliers/:supplierId',
    {
      config: { auth: { roles: ['admin'] } },
      schema: {
        operationId: 'updateSupplier',
        tags,
        summary: "Change a supplier's settings or requisites (admin)",
        description: 'The settings after the change must hold together; the change is written to the audit log.',
        params: SupplierParams,
        body: ref(SupplierUpdate),
        response: { 200: ref(SupplierDetails, { description: 'The supplier.' }), ...problems(400, 404, 422) },
      },
    },
    async (request) => app.supplierAdmin.update(callerOf(request), request.params.supplierId, request.body, auditContextOf(request)),
  )
}

export default supplierAdminRoutes
