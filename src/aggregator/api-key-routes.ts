import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { auditContextOf } from '../audit/audit.ts'
import { NoContent, Uuid, problems, ref } from '../common/schemas.ts'
import { ApiKeyCreate, ApiKeyIssued, ApiKeyListQuery, ApiKeyPage } from './schemas.ts'

const staff = { auth: { roles: ['admin', 'operator'] } } as const

/** Keys of banks and aggregators: issued (shown once), listed, revoked. Operators: their supplier's. */
const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['aggregator']

  app.post(
    '/admin/api-keys',
    {
      config: staff,
      schema: {
        operationId: 'createApiKey',
        tags,
        summary: 'Issue an API key to a bank or aggregator',
        description: 'The answer carries the key once; only its hash is kept. Refusals: forbidden (another supplier’s, for an operator), supplier_not_found (422).',
        body: ref(ApiKeyCreate),
        response: { 201: ref(ApiKeyIssued, { description: 'Issued: hand `key` over now.' }), ...problems(400, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.aggregator.createKey(auditContextOf(request), request.body)),
  )

  app.get(
    '/admin/api-keys',
    {
      config: staff,
      schema: {
        operationId: 'listApiKeys',
        tags,
        summary: 'API keys, newest first, revoked ones included (never the keys themselves)',
        querystring: ApiKeyListQuery,
        response: { 200: ref(ApiKeyPage, { description: 'A page of keys.' }), ...problems(400) },
      },
    },
    async (request) => app.aggregator.listKeys(callerOf(request), request.query),
  )

  app.delete(
    '/admin/api-keys/:keyId',
    {
      config: staff,
      schema: {
        operationId: 'revokeApiKey',
        tags,
        summary: 'Revoke an API key at once',
        description: 'Revoking again changes nothing. Refusals: api_key_not_found.',
        params: Type.Object({ keyId: Uuid }, { additionalProperties: false }),
        response: { 204: NoContent('Revoked.'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await app.aggregator.revokeKey(auditContextOf(request), request.params.keyId)
      return reply.code(204).send(null)
    },
  )
}

export default apiKeyRoutes
