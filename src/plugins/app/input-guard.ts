import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { InvalidInputError } from '../../common/errors.ts'
import { forbiddenCharacterPointers } from '../../common/control-chars.ts'
import { MAX_FIELD_ERRORS } from '../../common/schemas.ts'

const PARTS = [
  ['body', 'body'],
  ['query', 'query'],
  ['params', 'path'],
] as const

const DETAIL = 'must not contain control characters (other than tab and line breaks) or unpaired surrogates'

/**
 * What every request's input must be before any schema sees it, and how an empty DELETE body
 * is read. A NUL in any string reached PostgreSQL and answered 500: now every string of the
 * body, query and path is checked here, whatever the route's schema says.
 */
export default fp(
  async function inputGuard(app: FastifyInstance) {
    app.addHook('preValidation', async (request: FastifyRequest) => {
      const errors: InvalidInputError['fieldErrors'] = []
      for (const [part, where] of PARTS) {
        const value = request[part]
        for (const pointer of forbiddenCharacterPointers(value, MAX_FIELD_ERRORS - errors.length)) errors.push({ in: where, pointer, detail: DETAIL })
      }
      if (errors.length > 0) throw new InvalidInputError(errors)
    })

    // Clients (and some HTTP libraries) send `Content-Type: application/json` on a DELETE with
    // no body; that is not a malformed body. Any other empty JSON body still is.
    const json = app.getDefaultJsonParser('error', 'error')
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if (body === '' && request.method === 'DELETE') return done(null, undefined)
      return json(request, body as string, done)
    })
  },
  { name: 'input-guard', dependencies: ['problem-handler'] },
)
