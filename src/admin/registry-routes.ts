import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AccountDetails, AccountParams } from '../accounts/schemas.ts'
import { auditContextOf } from '../audit/audit.ts'
import { callerOf } from '../access/guard.ts'
import { NoContent, Uuid, problems, ref } from '../common/schemas.ts'
import {
  AccessCode,
  AccountAdminUpdate,
  AccountClose,
  AccountCreate,
  AuditEntryPage,
  AuditQuery,
  HolderParams,
  MeterCreate,
  MeterReplace,
  MeterUpdate,
} from './registry-schemas.ts'

const MeterParams = Type.Object({ meterId: Uuid }, { additionalProperties: false })
const staff = { auth: { roles: ['operator', 'admin'] } } as const
const details = (description: string) => ref(AccountDetails, { description })

/** The back office's edits of one account or meter, each written to the audit log. */
const registerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin']

  app.post(
    '/admin/suppliers/:supplierId/accounts',
    {
      config: staff,
      schema: {
        operationId: 'createAccount',
        tags,
        summary: "Add one account to a supplier's register",
        params: Type.Object({ supplierId: Uuid }, { additionalProperties: false }),
        body: ref(AccountCreate),
        response: { 201: details('Created.'), ...problems(400, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      const id = await app.registry.createAccount(caller, request.params.supplierId, request.body, auditContextOf(request))
      return reply.code(201).send(await app.accounts.details(caller, id))
    },
  )

  app.patch(
    '/admin/accounts/:accountId',
    {
      config: staff,
      schema: {
        operationId: 'updateAccountRecord',
        tags,
        summary: 'Correct an account: address, holder, residents, area, services',
        params: AccountParams,
        body: ref(AccountAdminUpdate),
        response: { 200: details('The account.'), ...problems(400, 404, 422) },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      await app.registry.updateAccount(caller, request.params.accountId, request.body, auditContextOf(request))
      return app.accounts.details(caller, request.params.accountId)
    },
  )

  app.post(
    '/admin/accounts/:accountId/close',
    {
      config: staff,
      schema: {
        operationId: 'closeAccount',
        tags,
        summary: 'Close an account (it stays, with its history; nothing new can be linked or changed)',
        params: AccountParams,
        body: ref(AccountClose),
        response: { 200: details('The closed account.'), ...problems(400, 404, 409) },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      await app.registry.closeAccount(caller, request.params.accountId, request.body.reason, auditContextOf(request))
      return app.accounts.details(caller, request.params.accountId)
    },
  )

  app.post(
    '/admin/accounts/:accountId/access-code',
    {
      config: staff,
      schema: {
        operationId: 'renewAccessCode',
        tags,
        summary: 'Issue a new access code for the account’s receipts',
        description:
          'When a stranger learned the code (a holder reports an unknown person linked): the old code stops proving the ' +
          'account at once; the next receipt prints the new one. People already linked stay linked (unlink them separately).',
        params: AccountParams,
        response: { 200: ref(AccessCode, { description: 'The new code.' }), ...problems(400, 404) },
      },
    },
    async (request) => ({ accessCode: await app.registry.renewAccessCode(callerOf(request), request.params.accountId, auditContextOf(request)) }),
  )

  app.delete(
    '/admin/accounts/:accountId/holders/:userId',
    {
      config: staff,
      schema: {
        operationId: 'unlinkAccountHolder',
        tags,
        summary: 'Unlink a person from the account',
        description: 'The person loses access to the account; the account and its history stay. Audited; announced as `account.unlinked`.',
        params: HolderParams,
        response: { 204: NoContent('Unlinked.'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await app.registry.unlinkHolder(callerOf(request), request.params.accountId, request.params.userId, auditContextOf(request))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/admin/accounts/:accountId/meters',
    {
      config: staff,
      schema: {
        operationId: 'addMeter',
        tags,
        summary: 'Add a meter to an account',
        params: AccountParams,
        body: ref(MeterCreate),
        response: { 201: details('The account with its meters.'), ...problems(400, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      await app.registry.addMeter(caller, request.params.accountId, request.body, auditContextOf(request))
      return reply.code(201).send(await app.accounts.details(caller, request.params.accountId))
    },
  )

  app.patch(
    '/admin/meters/:meterId',
    {
      config: staff,
      schema: {
        operationId: 'updateMeter',
        tags,
        summary: 'Correct a meter: zones, digit capacity, installation and verification dates',
        params: MeterParams,
        body: ref(MeterUpdate),
        response: { 200: details('The account with its meters.'), ...problems(400, 404, 422) },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const accountId = await app.registry.updateMeter(caller, request.params.meterId, request.body, auditContextOf(request))
      return app.accounts.details(caller, accountId)
    },
  )

  app.post(
    '/admin/meters/:meterId/replace',
    {
      config: staff,
      schema: {
        operationId: 'replaceMeter',
        tags,
        summary: 'Replace a meter: the old one is kept as replaced, the new one takes its service',
        params: MeterParams,
        body: ref(MeterReplace),
        response: { 201: details('The account with its meters.'), ...problems(400, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      const accountId = await app.registry.replaceMeter(caller, request.params.meterId, request.body, auditContextOf(request))
      return reply.code(201).send(await app.accounts.details(caller, accountId))
    },
  )

  app.get(
    '/admin/audit-log',
    {
      config: staff,
      schema: {
        operationId: 'listAuditLog',
        tags,
        summary: 'Who changed what and when, newest first (operators: their supplier)',
        querystring: AuditQuery,
        response: { 200: ref(AuditEntryPage, { description: 'A page of audit entries.' }), ...problems(400, 404) },
      },
    },
    async (request) => app.registry.auditLog(callerOf(request), request.query),
  )
}

export default registerRoutes
