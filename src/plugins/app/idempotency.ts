import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'
import { BadRequestError, ConflictError, UnprocessableError } from '../../common/errors.ts'
import { PROBLEM_CONTENT_TYPE } from '../../common/problem.ts'
import { problems } from '../../common/schemas.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Accepts `Idempotency-Key`: a retry with the same key and body gets the first answer. */
    idempotent?: boolean
  }
  interface FastifyRequest {
    idempotency: { scope: string; key: string } | null
  }
}

/** The same JSON whatever the order of its members, so that a retry hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.routeOptions.url ?? ''}\n${canonical(request.params)}\n${canonical(request.body)}`)
    .digest('hex')
}

/**
 * Idempotency-Key (API.md): same key + same body → the stored first response; same key +
 * another body → 422 `idempotency_key_reused`; same key while the first is running → 409.
 * Keys are scoped per caller and kept IDEMPOTENCY_TTL_H hours. A 5xx answer is not kept, so
 * the retry runs again.
 */
const REPLAYED = {
  type: 'string',
  enum: ['true'],
  description: 'Present when this is the stored answer to an earlier request with the same Idempotency-Key (nothing was done again).',
}

/** Success answers of an idempotent route may be replays: the contract says so on each. */
function replayedHeader(responses: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) =>
      status.startsWith('2') ? [status, { ...response, headers: { ...(response.headers as object | undefined), 'idempotency-replayed': REPLAYED } }] : [status, response],
    ),
  )
}

export default fp(
  async function idempotency(app: FastifyInstance) {
    const ttlMs = app.config.idempotencyTtlH * 3_600_000
    app.decorateRequest('idempotency', null)

    app.addHook('onRoute', (route) => {
      if (!route.config?.idempotent) return
      route.schema = {
        ...route.schema,
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({ minLength: 1, maxLength: 255, description: 'Makes the request safe to retry: a repeat gets the first answer.' }),
          ),
        }),
        response: { ...problems(409, 422), ...replayedHeader((route.schema?.response ?? {}) as Record<string, Record<string, unknown>>) },
      }
      // Only idempotent routes pay for these hooks.
      route.preHandler = [...(route.preHandler ? [route.preHandler].flat() : []), claim]
      route.onSend = [...(route.onSend ? [route.onSend].flat() : []), record]
    })

    const inProgress = () =>
      new ConflictError('idempotency_request_in_progress', 'The first request with this Idempotency-Key is still running; retry shortly.')

    async function claim(request: FastifyRequest, reply: FastifyReply) {
      const key = request.headers['idempotency-key']
      if (key === undefined) return
      if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
        throw new BadRequestError('idempotency_key_invalid', 'Idempotency-Key must be 1..255 visible ASCII characters.')
      }
      const scope = request.caller?.userId ?? `ip:${request.ip}`
      const hash = requestHash(request)
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = app.config.clock.now()
        // A new key, or one whose record has expired, is claimed in this one statement: on a
        // conflict PostgreSQL locks the existing row and checks the WHERE against its latest
        // version, so of two requests taking over an expired key only one gets it.
        const claimed = await app.prisma.$queryRaw<{ key: string }[]>`
          INSERT INTO idempotency_record (scope, key, "requestHash", status, "expiresAt")
          VALUES (${scope}, ${key}, ${hash}, 'running', ${new Date(now.getTime() + ttlMs)})
          ON CONFLICT (scope, key) DO UPDATE
            SET "requestHash" = EXCLUDED."requestHash", status = 'running', "responseStatus" = NULL,
                "responseBody" = NULL, "createdAt" = now(), "expiresAt" = EXCLUDED."expiresAt"
            WHERE idempotency_record."expiresAt" <= ${now}
          RETURNING key`
        if (claimed.length === 1) {
          request.idempotency = { scope, key }
          return
        }
        // Read by the next statement, which sees the record that the claim ran into.
        const existing = await app.prisma.idempotencyRecord.findUnique({ where: { scope_key: { scope, key } } })
        // Gone or expired in between (a failed first request, the sweep): claim again.
        if (!existing || existing.expiresAt <= now) continue
        if (existing.requestHash !== hash) {
          throw new UnprocessableError('idempotency_key_reused', 'This Idempotency-Key was used with another request; use a new key.')
        }
        if (existing.status === 'running') throw inProgress()
        const status = existing.responseStatus ?? 200
        return reply
          .code(status)
          .header('idempotency-replayed', 'true')
          .type(status >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json; charset=utf-8')
          .send(JSON.stringify(existing.responseBody))
      }
      // The key changed hands under us every time: never run the request unclaimed.
      throw inProgress()
    }

    async function record(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
      const slot = request.idempotency
      if (!slot) return payload
      request.idempotency = null
      // Many, not one: should the record be gone (swept during a request slower than
      // IDEMPOTENCY_TTL_H), the answer still goes out instead of failing after the work is done.
      const mine = { scope: slot.scope, key: slot.key, status: 'running' }
      if (reply.statusCode >= 500) {
        await app.prisma.idempotencyRecord.deleteMany({ where: mine })
        return payload
      }
      const body = typeof payload === 'string' && payload.length > 0 ? (JSON.parse(payload) as object) : {}
      await app.prisma.idempotencyRecord.updateMany({
        where: mine,
        data: { status: 'done', responseStatus: reply.statusCode, responseBody: body },
      })
      return payload
    }

    // Expired keys are removed by a job every hour, a batch at a time so no lock is held for long.
    app.jobs.define('idempotency:sweep', async () => {
      let removed: number
      do {
        removed = await app.prisma.$executeRaw`
          DELETE FROM idempotency_record WHERE ctid IN (SELECT ctid FROM idempotency_record WHERE "expiresAt" < now() LIMIT 1000)`
      } while (removed === 1000)
    })
    app.jobs.schedule('idempotency:sweep', '17 * * * *')
  },
  { name: 'idempotency', dependencies: ['prisma', 'auth-guard', 'jobs'] },
)
