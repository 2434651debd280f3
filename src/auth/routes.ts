import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { NoContent, problems, ref } from '../common/schemas.ts'
import { callerOf } from '../access/guard.ts'
import {
  Accepted,
  EmailRequest,
  CaptchaChallenge,
  LoginRequest,
  PasswordChangeRequest,
  PasswordResetRequest,
  RefreshRequest,
  RegisterRequest,
  TokenPair,
  TokenRequest,
} from './schemas.ts'
import type { ClientInfo } from './service.ts'

export function clientOf(request: FastifyRequest): ClientInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 300) ?? null }
}


const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { rateLimit } = app.config.auth
  // Per IP here, stricter than elsewhere; per login and per address, the service counts in the
  // database (failed logins, mails requested), so that every instance sees the same counts.
  const perIp = { max: rateLimit.max, timeWindow: rateLimit.windowMs }
  const tags = ['auth']

  app.post(
    '/auth/register',
    {
      config: { auth: false, rateLimit: perIp },
      schema: {
        operationId: 'register',
        tags,
        summary: 'Register with the account number from a receipt',
        description:
          "The account must be in the supplier's register with this holder's surname (case and ё/е do not matter) and the " +
          "supplier's second fact (`proof`; see `linkProof` in GET /v1/suppliers). A phone is kept unconfirmed (never a login " +
          'until proven; the answer says so). Failed checks are counted as for linking (captcha, then a pause). ' +
          'Answers 202 whether or not the email is already registered; a confirmation link is mailed (or, to an existing ' +
          "address, a notice). Login is possible once the email is confirmed.",
        body: ref(RegisterRequest),
        response: { 202: ref(Accepted, { description: 'Accepted; check the mailbox.' }), ...problems(400, 403, 422, 429) },
      },
    },
    async (request, reply) => {
      await app.auth.register(request.body, clientOf(request))
      return reply.code(202).send({
        status: 'accepted' as const,
        detail:
          'If the data is right, a confirmation link has been sent to the email address. Follow it to finish registration.' +
          (request.body.phone === undefined
            ? ''
            : ' The phone number is kept as given but unconfirmed: it is for contact only and cannot be used to log in until a code sent to it confirms it.'),
      })
    },
  )

  app.post(
    '/auth/confirm-email',
    {
      config: { auth: false, rateLimit: perIp },
      schema: {
        operationId: 'confirmEmail',
        tags,
        summary: 'Confirm an email address with the code from the mail',
        description: 'Works once. Also confirms a new address after a change of email.',
        body: ref(TokenRequest),
        response: { 204: NoContent('Confirmed.'), ...problems(400, 409) },
      },
    },
    async (request, reply) => {
      await app.auth.confirmEmail(request.body.token)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/auth/confirm-email/resend',
    {
      config: { auth: false, rateLimit: perIp },
      schema: {
        operationId: 'resendEmailConfirmation',
        tags,
        summary: 'Mail a new confirmation link',
        description: 'Always 202: the answer does not tell whether the address is registered.',
        body: ref(EmailRequest),
        response: { 202: ref(Accepted, { description: 'Accepted.' }), ...problems(400) },
      },
    },
    async (request, reply) => {
      await app.auth.resendConfirmation(request.body.email)
      return reply.code(202).send({ status: 'accepted' as const, detail: 'If this address awaits confirmation, a new link has been sent.' })
    },
  )

  app.get(
    '/auth/captcha',
    {
      config: { auth: false, rateLimit: perIp },
      schema: {
        operationId: 'getCaptchaChallenge',
        tags,
        summary: 'A captcha challenge, for when an answer says `captcha_required`',
        description:
          'With the default self-hosted ALTCHA (proof of work: no third party, no tracking), solve the challenge in the ' +
          'browser with the ALTCHA widget or altcha-lib and send the base64 payload as `captchaToken`. Each challenge ' +
          'is good once, for 10 minutes.',
        response: { 200: ref(CaptchaChallenge, { description: 'The challenge, or which provider’s widget to show.' }), ...problems(429) },
      },
    },
    async () => app.auth.captcha.challenge(),
  )

  app.post(
    '/auth/login',
    {
      config: { auth: false, rateLimit: perIp },
      schema: {
        operationId: 'login',
        tags,
        summary: 'Log in: email, phone, organization code, or account number with supplier',
        description:
          'Returns a short-lived access token and a single-use refresh token. After repeated failures for one login, ' +
          'answers 403 `captcha_required` until a solved `captchaToken` (GET /v1/auth/captcha) comes with the request: never a lockout. ' +
          'Only with CAPTCHA_PROVIDER=none is the login paused instead (429).',
        body: ref(LoginRequest),
        response: { 200: ref(TokenPair, { description: 'Logged in.' }), ...problems(400, 401, 403) },
      },
    },
    async (request) => app.auth.login(request.body, clientOf(request)),
  )

  app.post(
    '/auth/refresh',
    {
      config: { auth: false, rateLimit: perIp },
      schema: {
        operationId: 'refreshTokens',
        tags,
        summary: 'Exchange a refresh token for a new pair',
        description:
          'The presented refresh token is used up. Presenting it again (a stolen copy) ends the whole session: `refresh_token_reused`.',
        body: ref(RefreshRequest),
        response: { 200: ref(TokenPair, { description: 'A new pair.' }), ...problems(400, 401) },
      },
    },
    async (request) => app.auth.sessions.rotate(request.body.refreshToken, clientOf(request)),
  )

  app.post(
    '/auth/logout',
    {
      config: { auth: { duringPasswordChange: true } },
      schema: {
        operationId: 'logout',
        tags,
        summary: 'End the current session',
        response: { 204: NoContent('Logged out; the refresh token and access tokens of this session stop working.'), ...problems(401) },
      },
    },
    async (request, reply) => {
      await app.auth.sessions.revoke(callerOf(request).sessionId, 'logout')
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/auth/password/forgot',
    {
      config: { auth: false, rateLimit: perIp },
      schema: {
        operationId: 'forgotPassword',
        tags,
        summary: 'Mail a password reset link',
        description: 'Always 202, with the same body, whether or not the address is registered.',
        body: ref(EmailRequest),
        response: { 202: ref(Accepted, { description: 'Accepted.' }), ...problems(400) },
      },
    },
    async (request, reply) => {
      await app.auth.forgotPassword(request.body.email)
      return reply.code(202).send({ status: 'accepted' as const, detail: 'If this address is registered, a reset link has been sent to it.' })
    },
  )

  app.post(
    '/auth/password/reset',
    {
      config: { auth: false, rateLimit: perIp },
      schema: {
        operationId: 'resetPassword',
        tags,
        summary: 'Set a new password with the code from the reset mail',
        description: 'The code works once. Every session of the user ends.',
        body: ref(PasswordResetRequest),
        response: { 204: NoContent('Password set; log in with it.'), ...problems(400, 422) },
      },
    },
    async (request, reply) => {
      await app.auth.resetPassword(request.body.token, request.body.newPassword, clientOf(request))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/auth/password/change',
    {
      config: { auth: { duringPasswordChange: true } },
      schema: {
        operationId: 'changePassword',
        tags,
        summary: 'Change the password',
        description:
          'Ends every other session unless `endOtherSessions` is false. Required first after a temporary password. Wrong current ' +
          'passwords are counted like failed logins: at LOGIN_ATTEMPTS_PER_LOGIN within the window this session ends (401 `session_ended`).',
        body: ref(PasswordChangeRequest),
        response: { 204: NoContent('Changed.'), ...problems(400, 401, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      await app.auth.changePassword(caller.userId, caller.sessionId, request.body, clientOf(request))
      return reply.code(204).send(null)
    },
  )
}

export default authRoutes
