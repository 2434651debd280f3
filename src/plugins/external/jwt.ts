import jwt from '@fastify/jwt'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export const JWT_ISSUER = 'abonent'
export const JWT_AUDIENCE = 'abonent-api'

/**
 * Access tokens: HS256 only (a token naming another algorithm, `none` included, is refused),
 * with issuer, audience and expiry always checked.
 */
export default fp(
  async function jwtPlugin(app: FastifyInstance) {
    const { jwtSecret, accessTokenTtlS } = app.config.auth
    await app.register(jwt, {
      secret: jwtSecret,
      sign: { algorithm: 'HS256', iss: JWT_ISSUER, aud: JWT_AUDIENCE, expiresIn: `${accessTokenTtlS}s` },
      verify: { algorithms: ['HS256'], allowedIss: JWT_ISSUER, allowedAud: JWT_AUDIENCE },
    })
  },
  { name: 'jwt', dependencies: ['config'] },
)
