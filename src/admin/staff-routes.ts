import { auditContextOf } from '../audit/audit.ts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { PageQuery, Uuid, problems, ref } from '../common/schemas.ts'
import { IssuedCredentials, ManagedUserPage, OperatorCreate, OrganizationCreate } from './schemas.ts'

const SupplierParams = Type.Object({ supplierId: Uuid }, { additionalProperties: false })

const staffRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin']

  app.post(
    '/admin/suppliers/:supplierId/operators',
    {
      config: { auth: { roles: ['admin'] } },
      schema: {
        operationId: 'createOperator',
        tags,
        summary: "Create an operator of a supplier (admin)",
        description: 'Returns a temporary password, once; the operator must change it at first login.',
        params: SupplierParams,
        body: ref(OperatorCreate),
        response: { 201: ref(IssuedCredentials, { description: 'Created.' }), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const created = await app.staff.createOperator(callerOf(request), request.params.supplierId, request.body, auditContextOf(request))
      return reply.code(201).send(created)
    },
  )

  app.post(
    '/admin/suppliers/:supplierId/organizations',
    {
      config: { auth: { roles: ['operator', 'admin'] } },
      schema: {
        operationId: 'createOrganizationUser',
        tags,
        summary: 'Issue a login to an organization (legal entity, management company)',
        description:
          "Operators of the supplier, or admins. Returns the organization's login code and a temporary password, once; " +
          'it must be changed at first login.',
        params: SupplierParams,
        body: ref(OrganizationCreate),
        response: { 201: ref(IssuedCredentials, { description: 'Created.' }), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const created = await app.staff.createOrganization(callerOf(request), request.params.supplierId, request.body, auditContextOf(request))
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/admin/suppliers/:supplierId/organizations',
    {
      config: { auth: { roles: ['operator', 'admin'] } },
      schema: {
        operationId: 'listOrganizationUsers',
        tags,
        summary: "A supplier's organization users",
        params: SupplierParams,
        querystring: PageQuery,
        response: { 200: ref(ManagedUserPage, { description: 'A page of organization users.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.staff.listOrganizations(callerOf(request), request.params.supplierId, request.query),
  )
}

export default staffRoutes
