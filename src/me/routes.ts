import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from '../access/guard.ts'
import { NoContent, PageQuery, Uuid, problems, ref } from '../common/schemas.ts'
import { DeleteMeRequest, Me, MeUpdate, PersonalDataExport, SessionInfoPage } from './schemas.ts'

const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['me']
  const signedIn = { auth: {} } as const

  app.get(
    '/me',
    {
      config: { auth: { duringPasswordChange: true } },
      schema: { operationId: 'getMe', tags, summary: 'The caller’s profile', response: { 200: ref(Me, { description: 'The profile.' }), ...problems(401) } },
    },
    async (request) => app.me.profile(callerOf(request).userId),
  )

  app.patch(
    '/me',
    {
      config: signedIn,
      schema: {
        operationId: 'updateMe',
        tags,
        summary: 'Change name, contacts and notification preferences',
        description: 'A new email is mailed a confirmation link and replaces the old one once confirmed (`pendingEmail` until then).',
        body: ref(MeUpdate),
        response: { 200: ref(Me, { description: 'The updated profile.' }), ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (request) => app.me.update(callerOf(request).userId, request.body),
  )

  app.get(
    '/me/sessions',
    {
      config: signedIn,
      schema: {
        operationId: 'listMySessions',
        tags,
        summary: 'Active sessions (devices), newest first',
        querystring: PageQuery,
        response: { 200: ref(SessionInfoPage, { description: 'A page of sessions.' }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      return app.me.sessions(caller.userId, caller.sessionId, request.query)
    },
  )

  app.delete(
    '/me/sessions/:sessionId',
    {
      config: signedIn,
      schema: {
        operationId: 'endMySession',
        tags,
        summary: 'End one of the caller’s sessions',
        params: Type.Object({ sessionId: Uuid }, { additionalProperties: false }),
        response: { 204: NoContent('Ended.'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await app.me.endSession(callerOf(request).userId, request.params.sessionId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/me/export',
    {
      config: signedIn,
      schema: {
        operationId: 'exportMyData',
        tags,
        summary: 'All personal data held about the caller',
        response: { 200: ref(PersonalDataExport, { description: 'The export.' }), ...problems(401, 403) },
      },
    },
    async (request) => app.me.exportData(callerOf(request).userId),
  )

  app.delete(
    '/me',
    {
      config: signedIn,
      schema: {
        operationId: 'deleteMe',
        tags,
        summary: 'Erase the caller’s personal data and end every session',
        description: 'Needs the password (wrong ones are counted as for a password change; at the limit the session ends). Accounts are unlinked; payments stay with the accounts, as accounting law requires.',
        body: ref(DeleteMeRequest),
        response: { 204: NoContent('Erased.'), ...problems(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      await app.me.erase(caller.userId, caller.sessionId, request.body.password)
      return reply.code(204).send(null)
    },
  )
}

export default meRoutes
