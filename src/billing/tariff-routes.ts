import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { auditContextOf } from '../audit/audit.ts'
import { NoContent, Uuid, problems, ref } from '../common/schemas.ts'
import { AccountTariffs, TariffCreate, TariffListQuery, TariffPage, TariffUpdate, TariffView } from './tariff-schemas.ts'

const TariffParams = Type.Object({ tariffId: Uuid }, { additionalProperties: false })
const AccountParams = Type.Object({ accountId: Uuid }, { additionalProperties: false })

const tariffRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['tariffs']
  const staff = { auth: { roles: ['operator', 'admin'] } } as const

  app.get(
    '/admin/tariffs',
    {
      config: staff,
      schema: {
        operationId: 'listTariffs',
        tags,
        summary: "A supplier's tariff versions (its operators, or admins)",
        querystring: TariffListQuery,
        response: { 200: ref(TariffPage, { description: 'A page of versions, oldest first.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.tariffs.list(callerOf(request), request.query),
  )

  app.post(
    '/admin/tariffs',
    {
      config: staff,
      schema: {
        operationId: 'createTariff',
        tags,
        summary: 'Add a tariff version',
        description:
          'Versions of one service, zone and basis cannot overlap in time (a monthly fee may run beside a price per unit) (`tariff_overlap`, naming the versions in the way); end the current one first. Audited.',
        body: ref(TariffCreate),
        response: { 201: ref(TariffView, { description: 'Created.' }), ...problems(400, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.tariffs.create(auditContextOf(request), request.body)),
  )

  app.patch(
    '/admin/tariffs/:tariffId',
    {
      config: staff,
      schema: {
        operationId: 'updateTariff',
        tags,
        summary: 'Change or end a tariff version',
        description: 'A version that priced charge lines keeps its price and unit (`tariff_in_use`) and cannot end before the last day it priced. Audited.',
        params: TariffParams,
        body: ref(TariffUpdate),
        response: { 200: ref(TariffView, { description: 'The version.' }), ...problems(400, 404, 409, 422) },
      },
    },
    async (request) => app.tariffs.update(auditContextOf(request), request.params.tariffId, request.body),
  )

  app.delete(
    '/admin/tariffs/:tariffId',
    {
      config: staff,
      schema: {
        operationId: 'deleteTariff',
        tags,
        summary: 'Delete a tariff version that never priced anything',
        params: TariffParams,
        response: { 204: NoContent('Deleted.'), ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      await app.tariffs.remove(auditContextOf(request), request.params.tariffId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/accounts/:accountId/tariffs',
    {
      config: { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } },
      schema: {
        operationId: 'listAccountTariffs',
        tags,
        summary: "The tariffs of an account's services: in force today and upcoming",
        params: AccountParams,
        response: { 200: ref(AccountTariffs, { description: 'The tariffs.' }), ...problems(400, 401, 404) },
      },
    },
    async (request) => app.tariffs.forAccount(callerOf(request), request.params.accountId),
  )
}

export default tariffRoutes
