import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PageQuery, problems, ref } from '../common/schemas.ts'
import { PublicSupplierPage } from './schemas.ts'

const supplierRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/suppliers',
    {
      config: { auth: false },
      schema: {
        operationId: 'listSuppliers',
        tags: ['suppliers'],
        summary: 'Suppliers, for the registration form',
        description:
          'Public. Each supplier with its services, the format of its account numbers (pattern, example, and the short form the server expands) and its reading window.',
        security: [],
        querystring: PageQuery,
        response: { 200: ref(PublicSupplierPage, { description: 'A page of suppliers, ordered by name.' }), ...problems(400) },
      },
    },
    async (request) => app.suppliers.listPublic(request.query),
  )
}

export default supplierRoutes
