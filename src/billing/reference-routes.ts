import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type TSchema } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { auditContextOf } from '../audit/audit.ts'
import { NoContent, Uuid, problems, ref } from '../common/schemas.ts'
import {
  CoefficientCreate,
  CoefficientPage,
  CoefficientUpdate,
  CoefficientView,
  KeyRateCreate,
  KeyRateList,
  KeyRateView,
  NormativeCreate,
  NormativePage,
  NormativeUpdate,
  NormativeView,
  ReferenceListQuery,
} from './reference-schemas.ts'
import type { ReferenceKind } from './reference-service.ts'

const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
type Schema = TSchema & { $id?: string }

/** The two date-effective tables share their five routes; what differs is here. */
const TABLES: {
  kind: ReferenceKind
  path: string
  noun: string
  nouns: string
  writers: readonly ('operator' | 'admin')[]
  view: Schema
  page: Schema
  create: Schema
  update: Schema
}[] = [
  { kind: 'normatives', path: '/admin/normatives', noun: 'Normative', nouns: 'Normatives', writers: ['operator', 'admin'], view: NormativeView, page: NormativePage, create: NormativeCreate, update: NormativeUpdate },
  {
    kind: 'coefficients',
    path: '/admin/increasing-coefficients',
    noun: 'IncreasingCoefficient',
    nouns: 'IncreasingCoefficients',
    writers: ['admin'],
    view: CoefficientView,
    page: CoefficientPage,
    create: CoefficientCreate,
    update: CoefficientUpdate,
  },
]

const referenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['tariffs']
  const readers = { auth: { roles: ['operator', 'admin'] } } as const

  for (const table of TABLES) {
    const writers = { auth: { roles: table.writers } }
    const scoped = table.kind === 'normatives' ? ' A supplier’s own (its operators, or admins; `supplierId` is required).' : ' The installation’s, set by law (admins change them).'
    app.get(
      table.path,
      { config: readers, schema: { operationId: `list${table.nouns}`, tags, summary: `${table.nouns}: versions`, description: scoped.trim(), querystring: ReferenceListQuery, response: { 200: ref(table.page, { description: 'A page of versions.' }), ...problems(400, 404) } } },
      async (request) => app.references.list(table.kind, callerOf(request), request.query),
    )
    app.post(
      table.path,
      {
        config: writers,
        schema: {
          operationId: `create${table.noun}`,
          tags,
          summary: `Add a ${table.noun} version`,
          description: `Versions of one thing cannot overlap in time (409 with the versions in the way).${scoped} Audited.`,
          body: ref(table.create),
          response: { 201: ref(table.view, { description: 'Created.' }), ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) => reply.code(201).send(await app.references.create(table.kind, auditContextOf(request), request.body as never)),
    )
    app.patch(
      `${table.path}/:id`,
      {
        config: writers,
        schema: {
          operationId: `update${table.noun}`,
          tags,
          summary: `Change or end a ${table.noun} version`,
          description: 'A version in force keeps its figures (`version_in_force`) and can end today at the earliest; one not in force yet may change. Audited.',
          params: IdParams,
          body: ref(table.update),
          response: { 200: ref(table.view, { description: 'The version.' }), ...problems(400, 404, 409, 422) },
        },
      },
      async (request) => app.references.update(table.kind, auditContextOf(request), request.params.id, request.body as never),
    )
    app.delete(
      `${table.path}/:id`,
      {
        config: writers,
        schema: { operationId: `delete${table.noun}`, tags, summary: `Delete a ${table.noun} version not in force yet`, params: IdParams, response: { 204: NoContent('Deleted.'), ...problems(400, 404, 409) } },
      },
      async (request, reply) => {
        await app.references.remove(table.kind, auditContextOf(request), request.params.id)
        return reply.code(204).send(null)
      },
    )
  }

  const admins = { auth: { roles: ['admin'] } } as const
  app.get(
    '/admin/key-rates',
    { config: readers, schema: { operationId: 'listKeyRates', tags, summary: 'The Bank of Russia key rates that penalties use', response: { 200: ref(KeyRateList, { description: 'The rates.' }), ...problems(400) } } },
    async () => app.references.keyRates(),
  )
  app.post(
    '/admin/key-rates',
    {
      config: admins,
      schema: {
        operationId: 'createKeyRate',
        tags,
        summary: 'Add a key rate from a day on (admin)',
        description: 'One rate per day (`key_rate_exists`). Until 2027-01-01 penalties use the lower of the rate and 9.5 % anyway. Audited.',
        body: ref(KeyRateCreate),
        response: { 201: ref(KeyRateView, { description: 'Created.' }), ...problems(400, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.references.addKeyRate(auditContextOf(request), request.body)),
  )
  app.delete(
    '/admin/key-rates/:id',
    {
      config: admins,
      schema: { operationId: 'deleteKeyRate', tags, summary: 'Delete a key rate not in force yet (admin)', params: IdParams, response: { 204: NoContent('Deleted.'), ...problems(400, 404, 409) } },
    },
    async (request, reply) => {
      await app.references.removeKeyRate(auditContextOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )
}

export default referenceRoutes
