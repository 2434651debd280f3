import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { auditContextOf } from '../audit/audit.ts'
import { Page, PageQuery, Uuid, problems, ref } from '../common/schemas.ts'
import { createAccountCards, type AccountCards } from './account-card.ts'
import { AccountCard, AccountHit, AccountSearchQuery, SupplierListItem } from './account-card-schemas.ts'

declare module 'fastify' {
  interface FastifyInstance {
    accountCards: AccountCards
  }
}

export const accountCardService = fp(async (app: FastifyInstance) => void app.decorate('accountCards', createAccountCards(app)), {
  name: 'account-cards',
  dependencies: ['prisma', 'audit'],
})

export const AccountHitPage = Page(AccountHit)
export const SupplierListPage = Page(SupplierListItem)

const accountCardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin']
  const staff = { auth: { roles: ['operator', 'admin'] } } as const

  app.get(
    '/admin/accounts',
    {
      config: staff,
      schema: {
        operationId: 'searchAccounts',
        tags,
        summary: 'Find accounts by number, holder or address (the operator’s supplier only)',
        description: 'Ordered by account number. Each search is audited (who looked for what). Refusals: supplier_not_found.',
        querystring: AccountSearchQuery,
        response: { 200: ref(AccountHitPage, { description: 'A page of accounts.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.accountCards.search(auditContextOf(request), request.query),
  )

  app.get(
    '/admin/accounts/:accountId',
    {
      config: staff,
      schema: {
        operationId: 'getAccountCard',
        tags,
        summary: 'One account with its logins, latest readings, invoices, payments and tickets',
        description: 'Audited. Refusals: account_not_found.',
        params: Type.Object({ accountId: Uuid }, { additionalProperties: false }),
        response: { 200: ref(AccountCard, { description: 'The account card.' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => app.accountCards.card(auditContextOf(request), request.params.accountId),
  )

  app.get(
    '/admin/suppliers',
    {
      config: { auth: { roles: ['admin'] } },
      schema: {
        operationId: 'listSuppliersForAdmins',
        tags,
        summary: 'Every supplier of this installation, with its number of accounts (admins)',
        querystring: PageQuery,
        response: { 200: ref(SupplierListPage, { description: 'A page of suppliers, by code.' }), ...problems(400, 401, 403) },
      },
    },
    async (request) => app.accountCards.suppliers(request.query),
  )
}

export default accountCardRoutes
