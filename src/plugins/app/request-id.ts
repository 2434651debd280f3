import { randomUUID } from 'node:crypto'
import type { FastifyInstance, RawRequestDefaultExpression } from 'fastify'
import fp from 'fastify-plugin'

// A caller's id is kept so that a request can be followed across systems, but only a short,
// plain one: anything else could forge log lines or bloat them.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{8,128}$/

export function genReqId(request: RawRequestDefaultExpression): string {
  const incoming = request.headers['x-request-id']
  return typeof incoming === 'string' && ACCEPTABLE.test(incoming) ? incoming : randomUUID()
}

/** Every response, errors and 404s included, carries the id that its log lines carry. */
export default fp(
  async function requestIdPlugin(app: FastifyInstance) {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id)
    })
  },
  { name: 'request-id' },
)
