import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { auditContextOf } from '../audit/audit.ts'
import { callerOf } from '../access/guard.ts'
import { NoContent, PageQuery, problems, ref } from '../common/schemas.ts'
import { AccountDetails, AccountHolderList, AccountParams, AccountSummaryPage, AccountUpdate, LinkAccountRequest, MeterInfoList } from './schemas.ts'

const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['accounts']
  const people = { auth: { roles: ['customer', 'organization'] } } as const
  // Staff read and change accounts here too (their supplier's; admins any).
  const anyone = { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } } as const

  app.get(
    '/accounts',
    {
      config: anyone,
      schema: {
        operationId: 'listAccounts',
        tags,
        summary: 'The caller’s accounts with balance, what is left to pay, and pending payments',
        description:
          'People see their linked accounts; operators their supplier’s; admins all. A payment reported but not yet ' +
          'settled is listed at once and lowers `toPay`.',
        querystring: PageQuery,
        response: { 200: ref(AccountSummaryPage, { description: 'A page of accounts.' }), ...problems(400) },
      },
    },
    async (request) => app.accounts.list(callerOf(request), request.query),
  )

  app.post(
    '/accounts',
    {
      config: people,
      schema: {
        operationId: 'linkAccount',
        tags,
        summary: 'Link another account: supplier, number, holder’s surname and the supplier’s proof',
        description:
          'The same proof as at registration: the holder’s surname and the second fact the supplier asks for (`linkProof` in ' +
          'GET /v1/suppliers). Failed checks are counted per person, per account number and per address: after ' +
          'LINK_CAPTCHA_AFTER_FAILURES a captcha (403 `captcha_required`), after LINK_PAUSE_AFTER_FAILURES a pause (429). ' +
          'People already linked get a mail. At most MAX_LINKED_ACCOUNTS (20 by default) per login.',
        body: ref(LinkAccountRequest),
        response: { 201: ref(AccountDetails, { description: 'Linked.' }), ...problems(400, 403, 409, 422, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.accounts.link(callerOf(request), request.body, request.ip)),
  )

  app.get(
    '/accounts/:accountId',
    {
      config: anyone,
      schema: {
        operationId: 'getAccount',
        tags,
        summary: 'An account: supplier, address, holder, services, meters, balance, receipt delivery',
        params: AccountParams,
        response: { 200: ref(AccountDetails, { description: 'The account.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.accounts.details(callerOf(request), request.params.accountId),
  )

  app.patch(
    '/accounts/:accountId',
    {
      config: anyone,
      schema: {
        operationId: 'updateAccount',
        tags,
        summary: 'Switch receipt delivery between paper and electronic',
        params: AccountParams,
        body: ref(AccountUpdate),
        response: { 200: ref(AccountDetails, { description: 'The account.' }), ...problems(400, 404, 422) },
      },
    },
    async (request) =>
      app.accounts.setReceiptDelivery(callerOf(request), request.params.accountId, request.body.receiptDelivery, auditContextOf(request)),
  )

  app.delete(
    '/accounts/:accountId',
    {
      config: people,
      schema: {
        operationId: 'unlinkAccount',
        tags,
        summary: 'Unlink an account from the caller (the account itself stays)',
        params: AccountParams,
        response: { 204: NoContent('Unlinked.'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await app.accounts.unlink(callerOf(request), request.params.accountId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/accounts/:accountId/holders',
    {
      config: anyone,
      schema: {
        operationId: 'listAccountHolders',
        tags,
        summary: 'Who is linked to the account',
        description:
          'Everyone who linked the account to their login, as surname and initials, with the time. Those already linked get ' +
          'a mail when someone new links it; a stranger is reported to the supplier, who unlinks them and issues a new access code.',
        params: AccountParams,
        response: { 200: ref(AccountHolderList, { description: 'The people linked to it.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.accounts.holders(callerOf(request), request.params.accountId),
  )

  app.get(
    '/accounts/:accountId/meters',
    {
      config: anyone,
      schema: {
        operationId: 'listAccountMeters',
        tags,
        summary: 'The meters of an account, with verification state',
        params: AccountParams,
        response: { 200: ref(MeterInfoList, { description: 'The meters.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.accounts.meters(callerOf(request), request.params.accountId),
  )
}

export default accountRoutes
