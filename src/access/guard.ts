import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { isUuid } from '../common/uuid.ts'
import fp from 'fastify-plugin'
import { ForbiddenError, UnauthorizedError } from '../common/errors.ts'
import { problems } from '../common/schemas.ts'
import type { Role } from '../generated/prisma/client.ts'
import { apiKeyHash, looksLikeApiKey, type ApiClient, type ApiKeyScope } from './api-keys.ts'

/** Who is calling, as established from a valid access token and a live session. */
export interface Caller {
  userId: string
  sessionId: string
  role: Role
  /** An operator's or organization user's supplier; null for customers and admins. */
  supplierId: string | null
}

export interface AccessClaims {
  sub: string
  sid: string
  role: Role
  sup: string | null
}

/** Declared once per route: `config: { auth: false }` (public) or `{ auth: { roles?, ... } }`. */
export interface RouteAuth {
  /** Roles allowed; absent: any authenticated user. */
  roles?: readonly Role[]
  /** Reachable while the user must change a temporary password (the change itself, the profile). */
  duringPasswordChange?: boolean
}

/** Routes for banks and aggregators: an API key of a supplier with this scope (`X-Api-Key`). */
export interface ApiKeyAuth {
  apiKey: ApiKeyScope
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: false | RouteAuth | ApiKeyAuth
  }
  interface FastifyRequest {
    caller: Caller | null
    apiClient: ApiClient | null
  }
}


/** The API key calling an aggregator route; throws if the route was not guarded by one. */
export function apiClientOf(request: FastifyRequest): ApiClient {
  if (!request.apiClient) throw new Error(`route ${request.routeOptions.url} reads the API client but declares no apiKey auth`)
  return request.apiClient
}

/** The caller of a guarded route; throws if the route was not guarded (a programming error). */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`route ${request.routeOptions.url} reads the caller but declares no auth`)
  return request.caller
}

/**
 * Every /v1 route must declare `config.auth`; the app refuses to start otherwise, so no route
 * is public by omission. Guarded routes get the authentication hook and `security` in the contract.
 */
export default fp(
  async function authGuard(app: FastifyInstance) {
    app.decorateRequest('caller', null)
    app.decorateRequest('apiClient', null)

    async function authenticateKey(request: FastifyRequest, scope: ApiKeyScope): Promise<void> {
      const key = request.headers['x-api-key']
      if (key === undefined) throw new UnauthorizedError('api_key_missing', 'This route needs an API key: X-Api-Key: abk_…')
      if (!looksLikeApiKey(key)) throw new UnauthorizedError('api_key_invalid', 'The API key is not valid or has been revoked.')
      const { rows } = await app.pgPool.query<{ id: string; supplierId: string; client: string; scopes: ApiKeyScope[]; stale: boolean }>(
        `SELECT id, "supplierId", client, scopes, ("lastUsedAt" IS NULL OR "lastUsedAt" < now() - interval '1 minute') AS stale
         FROM api_key WHERE "keyHash" = $1 AND "revokedAt" IS NULL`,
        [apiKeyHash(key)],
      )
      const found = rows[0]
      if (!found) throw new UnauthorizedError('api_key_invalid', 'The API key is not valid or has been revoked.')
      // Last use is kept to the minute: a busy bank does not write a row per request.
      if (found.stale) await app.pgPool.query(`UPDATE api_key SET "lastUsedAt" = now() WHERE id = $1`, [found.id])
      if (!found.scopes.includes(scope)) throw new ForbiddenError('api_key_scope_missing', `This API key lacks the scope ${scope}.`)
      request.apiClient = { keyId: found.id, supplierId: found.supplierId, client: found.client, scopes: found.scopes }
    }

    async function authenticate(request: FastifyRequest, auth: RouteAuth): Promise<void> {
      const header = request.headers.authorization
      if (!header || !/^Bearer\s+\S+$/i.test(header)) {
        throw new UnauthorizedError('unauthorized', 'This route needs an access token: Authorization: Bearer <token>.')
      }
      let claims: AccessClaims
      try {
        claims = app.jwt.verify<AccessClaims>(header.replace(/^Bearer\s+/i, ''))
      } catch (error) {
        const expired = (error as { code?: string }).code === 'FAST_JWT_EXPIRED'
        throw expired
          ? new UnauthorizedError('token_expired', 'The access token has expired; refresh it.')
          : new UnauthorizedError('invalid_token', 'The access token is not valid.')
      }
      // A revoked session (logout, password change, reused refresh token) ends its access tokens at once.
      if (!isUuid(claims.sid) || !isUuid(claims.sub)) throw new UnauthorizedError('invalid_token', 'The access token is not valid.')
      // Every guarded request pays for this lookup: one indexed query, straight on the pool.
      const { rows } = await app.pgPool.query<{ id: string; role: Role; supplierId: string | null; mustChangePassword: boolean }>(
        `SELECT u.id, u.role, u."supplierId", u."mustChangePassword"
         FROM session s JOIN "user" u ON u.id = s."userId"
         WHERE s.id = $1 AND s."revokedAt" IS NULL AND s."expiresAt" > now() AND u."deletedAt" IS NULL AND u.id = $2`,
        [claims.sid, claims.sub],
      )
      const user = rows[0]
      if (!user) throw new UnauthorizedError('session_ended', 'This session has ended; log in again.')
      request.caller = { userId: user.id, sessionId: claims.sid, role: user.role, supplierId: user.supplierId }
      if (user.mustChangePassword && !auth.duringPasswordChange) {
        throw new ForbiddenError('password_change_required', 'Change the temporary password first: POST /v1/auth/password/change.')
      }
      if (auth.roles && !auth.roles.includes(user.role)) {
        throw new ForbiddenError('forbidden', 'Your role may not use this route.')
      }
    }

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1')) return
      const auth = route.config?.auth
      if (auth === undefined) throw new Error(`${String(route.method)} ${route.url}: declare config.auth (false for a public route)`)
      if (auth === false) {
        route.schema = { ...route.schema, security: [] }
        return
      }
      if ('apiKey' in auth) {
        route.schema = { ...route.schema, security: [{ apiKey: [] }], response: { ...problems(401, 403), ...(route.schema?.response ?? {}) } }
        const keyGuard: onRequestAsyncHookHandler = async (request) => authenticateKey(request, auth.apiKey)
        route.onRequest = [...(route.onRequest ? [route.onRequest].flat() : []), keyGuard]
        return
      }
      // The contract shows the guard's answers on every guarded route, whatever the route lists.
      const guardAnswers = auth.roles || !auth.duringPasswordChange ? problems(401, 403) : problems(401)
      route.schema = { ...route.schema, security: [{ bearerAuth: [] }], response: { ...guardAnswers, ...(route.schema?.response ?? {}) } }
      const guard: onRequestAsyncHookHandler = async (request) => authenticate(request, auth)
      // After the rate limiter's hook: a flood of bad tokens is throttled before it costs a query.
      route.onRequest = [...(route.onRequest ? [route.onRequest].flat() : []), guard]
    })
  },
  { name: 'auth-guard', dependencies: ['jwt', 'prisma'] },
)
