import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import Router from 'find-my-way'
import { createRequire } from 'node:module'
import { prefersEnglish } from '../../common/language.ts'
import { DomainError, InvalidInputError } from '../../common/errors.ts'
import { sendProblem, type ProblemInit } from '../../common/problem.ts'
import { isDatabaseUnavailable } from '../../db/unavailable.ts'

/** A database comes back from a restart or a failover in seconds. */
const DATABASE_RETRY_AFTER_S = 5
import { MAX_FIELD_ERRORS, type Problem } from '../../common/schemas.ts'

type FieldErrors = NonNullable<Problem['errors']>

// ajv-i18n's locale modules are CommonJS functions whose typings describe an ES default export.
const localizeRu = createRequire(import.meta.url)('ajv-i18n/localize/ru') as (errors: { message?: string }[]) => void

const PARTS: Record<string, FieldErrors[number]['in']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
}

interface AjvError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/**
 * Ajv's errors as field errors. In Russian (the default language), Ajv's messages of the errors
 * the answer lists are translated by ajv-i18n (on copies: Fastify keeps the originals).
 */
function fieldErrors(error: FastifyError, russian: boolean): FieldErrors {
  const part = PARTS[error.validationContext ?? 'body'] ?? 'body'
  const all = (error.validation ?? []) as AjvError[]
  const listed = all.slice(0, MAX_FIELD_ERRORS).map((issue) => ({ ...issue }))
  if (russian) localizeRu(listed)
  return [...listed, ...all.slice(MAX_FIELD_ERRORS)].map((issue, index) => {
    const inRussian = russian && index < MAX_FIELD_ERRORS
    // ajv points at the object that lacks or has too much; the client wants the member itself.
    const member = (issue.params.missingProperty ?? issue.params.additionalProperty) as string | undefined
    const path = member === undefined ? issue.instancePath : `${issue.instancePath}/${member.replace(/~/g, '~0').replace(/\//g, '~1')}`
    const detail =
      issue.keyword === 'additionalProperties'
        ? inRussian
          ? `неизвестное или только для чтения поле "${member}"`
          : `unknown or read-only member "${member}"`
        : issue.keyword === 'required'
          ? inRussian
            ? `поле "${member}" обязательно`
            : `"${member}" is required`
          : (issue.message ?? (inRussian ? 'неверное значение' : 'is invalid'))
    return { in: part, pointer: `#${path}`, detail }
  })
}

/** Fastify's own 4xx errors, by their code: the client's mistake, described in its words. */
const FASTIFY_CODES: Record<string, { code: string; title: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', title: 'Unsupported media type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', title: 'Payload too large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed_body', title: 'Malformed body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_body', title: 'Malformed body' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'malformed_body', title: 'Malformed body' },
  FST_ERR_CTP_INVALID_CONTENT_TYPE: { code: 'unsupported_media_type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported_media_type', title: 'Unsupported media type' },
  FST_UNDER_PRESSURE: { code: 'service_unavailable', title: 'Service unavailable' },
}

const BY_STATUS: Record<number, { code: string; title: string }> = {
  400: { code: 'bad_request', title: 'Bad request' },
  401: { code: 'unauthorized', title: 'Unauthorized' },
  403: { code: 'forbidden', title: 'Forbidden' },
  404: { code: 'not_found', title: 'Not found' },
  405: { code: 'method_not_allowed', title: 'Method not allowed' },
  406: { code: 'not_acceptable', title: 'Not acceptable' },
  409: { code: 'conflict', title: 'Conflict' },
  413: { code: 'payload_too_large', title: 'Payload too large' },
  415: { code: 'unsupported_media_type', title: 'Unsupported media type' },
  429: { code: 'rate_limited', title: 'Too many requests' },
  503: { code: 'service_unavailable', title: 'Service unavailable' },
}

interface PrismaKnownError {
  name: string
  code: string
  meta?: {
    modelName?: string
    driverAdapterError?: { cause?: { table?: string; constraint?: { fields?: string[]; index?: string } } }
  }
}

function isPrismaKnownError(error: unknown): error is PrismaKnownError {
  return (
    typeof error === 'object' && error !== null && (error as { name?: string }).name === 'PrismaClientKnownRequestError'
  )
}

/** The columns of a violated unique key: reported by the driver, or read off the index name (`account_supplierId_number_key`). */
function uniqueKeyFields(error: PrismaKnownError): string[] {
  const cause = error.meta?.driverAdapterError?.cause
  if (cause?.constraint?.fields?.length) return cause.constraint.fields
  const index = cause?.constraint?.index
  if (!index || !cause?.table || !index.startsWith(`${cause.table}_`)) return []
  // Column names are camelCase in this schema, so underscores separate them.
  return index.slice(cause.table.length + 1).replace(/_(key|idx)$/, '').split('_').filter(Boolean)
}

function prismaProblem(error: PrismaKnownError): ProblemInit | undefined {
  const model = error.meta?.modelName ?? 'record'
  switch (error.code) {
    case 'P2002': {
      const fields = uniqueKeyFields(error)
      const key = fields.length ? ` (${fields.join(', ')})` : ''
      return { status: 409, code: 'already_exists', title: 'Conflict', detail: `A ${model} with the same unique key${key} already exists.` }
    }
    case 'P2003':
      return { status: 409, code: 'reference_conflict', title: 'Conflict', detail: `The change to ${model} breaks a reference between records.` }
    case 'P2025':
      return { status: 404, code: 'not_found', title: 'Not found', detail: `The ${model} does not exist.` }
    default:
      return undefined
  }
}

export function validationProblem(errors: FieldErrors): ProblemInit {
  return {
    status: 400,
    code: 'validation_failed',
    title: 'Validation failed',
    detail: 'The request has invalid members; see `errors`.',
    errors: errors.slice(0, MAX_FIELD_ERRORS),
    ...(errors.length > MAX_FIELD_ERRORS ? { extensions: { errorCount: errors.length } } : {}),
  }
}

export function toProblem(error: FastifyError | Error, request: FastifyRequest): ProblemInit {
  if (error instanceof InvalidInputError) return validationProblem(error.fieldErrors)
  if (error instanceof DomainError) {
    return { status: error.status, code: error.code, title: error.title, detail: error.message, detailRu: error.detailRu, extensions: error.extensions }
  }
  if (isPrismaKnownError(error)) {
    const problem = prismaProblem(error)
    if (problem) return problem
  }
  const fastifyError = error as FastifyError
  if (fastifyError.validation) return validationProblem(fieldErrors(fastifyError, !prefersEnglish(request.headers['accept-language'])))
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 600 && status !== 500) {
    const known = FASTIFY_CODES[fastifyError.code] ?? BY_STATUS[status] ?? { code: status < 500 ? 'bad_request' : 'service_unavailable', title: 'Error' }
    return { status, ...known, detail: error.message }
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable')
    return {
      status: 503,
      code: 'database_unavailable',
      title: 'Service unavailable',
      detail: 'The database cannot be reached right now; nothing was changed. Try again shortly.',
      headers: { 'retry-after': String(DATABASE_RETRY_AFTER_S) },
    }
  }
  request.log.error({ err: error }, 'unhandled error')
  return {
    status: 500,
    code: 'internal_error',
    title: 'Internal server error',
    detail: 'Something went wrong on our side. Quote the request id when you contact support.',
  }
}

/** The one place where errors become RFC 9457 problem responses. */
export default fp(
  async function problemHandler(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toProblem(error, request)
      if (error instanceof DomainError) reply.headers(error.headers)
      if (problem.status < 500) request.log.info({ code: problem.code, status: problem.status }, problem.detail)
      return sendProblem(request, reply, problem)
    })

    // The methods each path answers, kept beside Fastify's own router, so that a known path
    // asked with another method is told 405 and what it allows, not 404.
    const known = Router()
    const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if ((METHODS as readonly string[]).includes(method) && !known.hasRoute(method as Router.HTTPMethod, route.url)) {
          known.on(method as Router.HTTPMethod, route.url, () => undefined)
        }
      }
    })

    // Rate limited like any route, so that scanning for URLs costs the scanner its quota.
    app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) => {
      const path = request.url.split('?')[0]!
      const allowed = METHODS.filter((method) => known.find(method, path) !== null)
      if (allowed.length > 0) {
        reply.header('allow', allowed.join(', '))
        return sendProblem(request, reply, {
          status: 405,
          code: 'method_not_allowed',
          title: 'Method not allowed',
          detail: `${path} does not answer ${request.method}; it answers ${allowed.join(', ')}.`,
        })
      }
      return sendProblem(request, reply, {
        status: 404,
        code: 'route_not_found',
        title: 'Not found',
        detail: `No route ${request.method} ${path}. See /docs for the API.`,
      })
    })

    // Every answer carries tokens or personal data unless its route says otherwise: nothing is
    // kept by browsers or shared caches by default.
    app.addHook('onSend', async (_request, reply, payload) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
      return payload
    })
  },
  { name: 'problem-handler', dependencies: ['rate-limit'] },
)
