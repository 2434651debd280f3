import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { auditContextOf } from '../audit/audit.ts'
import { Uuid, problems, ref } from '../common/schemas.ts'
import { ContactList, ContactsInput, FaqInput, FaqList, FaqQuery, OfficeList, OfficeQuery, OfficesInput } from './schemas.ts'

const SupplierParams = Type.Object({ supplierId: Uuid }, { additionalProperties: false })

/** The supplier's public help, read without login; replaced whole by its operators. */
const helpRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['help']
  const staff = { auth: { roles: ['operator', 'admin'] } } as const
  // Public and rarely changed: shared caches may keep it a few minutes.
  const cacheable = { 'cache-control': 'public, max-age=300' }

  app.get(
    '/suppliers/:supplierId/offices',
    {
      config: { auth: false },
      schema: {
        operationId: 'listSupplierOffices',
        tags,
        summary: 'Where to come in person; ?near=lat,lon puts the nearest first',
        description: 'Refusals: supplier_not_found.',
        params: SupplierParams,
        querystring: OfficeQuery,
        response: { 200: ref(OfficeList, { description: 'Offices.' }), ...problems(400, 404) },
      },
    },
    async (request, reply) => reply.headers(cacheable).send(await app.help.offices(request.params.supplierId, request.query.near)),
  )

  app.get(
    '/suppliers/:supplierId/contacts',
    {
      config: { auth: false },
      schema: {
        operationId: 'listSupplierContacts',
        tags,
        summary: 'Phones and mail addresses for individuals, organizations and emergencies',
        description: 'Refusals: supplier_not_found.',
        params: SupplierParams,
        response: { 200: ref(ContactList, { description: 'Contacts.' }), ...problems(400, 404) },
      },
    },
    async (request, reply) => reply.headers(cacheable).send(await app.help.contacts(request.params.supplierId)),
  )

  app.get(
    '/suppliers/:supplierId/faq',
    {
      config: { auth: false },
      schema: {
        operationId: 'listSupplierFaq',
        tags,
        summary: 'Questions and answers, by topic, in the supplier’s order',
        description: 'Refusals: supplier_not_found.',
        params: SupplierParams,
        querystring: FaqQuery,
        response: { 200: ref(FaqList, { description: 'Questions and answers.' }), ...problems(400, 404) },
      },
    },
    async (request, reply) => reply.headers(cacheable).send(await app.help.faq(request.params.supplierId, request.query.topic)),
  )

  app.put(
    '/admin/suppliers/:supplierId/offices',
    {
      config: staff,
      schema: {
        operationId: 'setSupplierOffices',
        tags,
        summary: 'Replace the list of offices',
        description: 'Refusals: supplier_not_found. Audited.',
        params: SupplierParams,
        body: ref(OfficesInput),
        response: { 200: ref(OfficeList, { description: 'The offices.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.help.setOffices(auditContextOf(request), request.params.supplierId, request.body),
  )

  app.put(
    '/admin/suppliers/:supplierId/contacts',
    {
      config: staff,
      schema: {
        operationId: 'setSupplierContacts',
        tags,
        summary: 'Replace the list of contacts',
        description: 'Refusals: supplier_not_found, contact_incomplete (422). Audited.',
        params: SupplierParams,
        body: ref(ContactsInput),
        response: { 200: ref(ContactList, { description: 'The contacts.' }), ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request) => app.help.setContacts(auditContextOf(request), request.params.supplierId, request.body),
  )

  app.put(
    '/admin/suppliers/:supplierId/faq',
    {
      config: staff,
      schema: {
        operationId: 'setSupplierFaq',
        tags,
        summary: 'Replace the questions and answers',
        description: 'Refusals: supplier_not_found. Audited.',
        params: SupplierParams,
        body: ref(FaqInput),
        response: { 200: ref(FaqList, { description: 'The questions and answers.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.help.setFaq(auditContextOf(request), request.params.supplierId, request.body),
  )
}

export default helpRoutes
