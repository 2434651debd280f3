import { Type, type Static, type TSchema } from 'typebox'
import { PERIOD_PATTERN } from './periods.ts'

/**
 * Shared schemas of the contract. Each has an `$id`, is registered once with `app.addSchema`
 * (see `sharedSchemas`) and appears in the OpenAPI document as `components.schemas.<$id>`.
 */

/** A JSON-schema `$ref` to a shared schema that keeps the target's TypeScript type. */
export function ref<T extends TSchema & { $id?: string }>(schema: T, options: { description?: string } = {}) {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id, options))
}

export const ProblemFieldError = Type.Object(
  {
    in: Type.Enum(['body', 'query', 'path', 'header'], { description: 'Which part of the request is wrong.' }),
    pointer: Type.String({ description: 'JSON Pointer (RFC 6901) to the offending member, as a URI fragment: "#/email".' }),
    detail: Type.String(),
  },
  { $id: 'ProblemFieldError', additionalProperties: false },
)

/** A validation answer lists this many field errors and counts the rest: a hostile body cannot make it huge. */
export const MAX_FIELD_ERRORS = 20

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type: urn:abonent:problem:<code>.' }),
    title: Type.String({ description: 'Short, human-readable summary of the problem type.' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ description: 'Human-readable explanation of this occurrence.' }),
    code: Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'Stable machine-readable code; clients branch on this.' }),
    instance: Type.Optional(Type.String({ description: 'The request path.' })),
    requestId: Type.String({ description: 'Same as the X-Request-Id header; quote it to support.' }),
    errors: Type.Optional(Type.Array(ref(ProblemFieldError), { description: `Per-field validation errors, at most ${MAX_FIELD_ERRORS}.` })),
    errorCount: Type.Optional(
      Type.Integer({ minimum: 0, description: `How many field errors the request had; \`errors\` lists the first ${MAX_FIELD_ERRORS}.` }),
    ),
  },
  {
    $id: 'Problem',
    description: 'RFC 9457 problem details, served as application/problem+json. Problem types may add members.',
    additionalProperties: true,
  },
)
export type Problem = Static<typeof Problem>

export const Decimal = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'Exact decimal number as a string.' })

export const Uuid = Type.String({ format: 'uuid' })

export const Money = Type.String({ pattern: '^-?\\d+\\.\\d{2}$', description: 'Rubles with kopecks, as a decimal string.' })

/** Money someone pays or gets back, as people type it ("1500", "2345.6"): more than zero, at most 9 999 999.99. */
export const PaymentAmount = (description: string) => Type.String({ pattern: '^(?!0+(\\.0{1,2})?$)\\d{1,7}(\\.\\d{1,2})?$', description })

export const DateOnly = Type.String({ format: 'date', description: 'YYYY-MM-DD' })

export const Period = Type.String({ pattern: PERIOD_PATTERN, description: 'YYYY-MM', examples: ['2026-10'] })

/** The schema of a 204 answer: no body. */
export const NoContent = (description: string) => Type.Null({ description })

export const DEFAULT_PAGE_SIZE = 20

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE, description: 'Page size, 1..100.' }),
    ),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 512, description: 'Opaque; the `nextCursor` of the previous page.' }),
    ),
  },
  { additionalProperties: false },
)
export type PageQuery = Static<typeof PageQuery>

/** `{ items, nextCursor }`, named `<ItemName>Page` in the contract. */
export function Page<T extends TSchema & { $id?: string }>(item: T) {
  return Type.Object(
    {
      items: Type.Array(ref(item)),
      nextCursor: Type.Union([Type.String(), Type.Null()], {
        description: 'Pass as `cursor` to get the next page; null on the last page.',
      }),
    },
    { $id: `${item.$id}Page`, additionalProperties: false },
  )
}

const problemContent = { 'application/problem+json': { schema: ref(Problem) } }

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation (`validation_failed`, `malformed_body`, ...).',
  401: 'Authentication is missing or invalid.',
  403: 'The caller may not do this.',
  404: 'No such resource visible to the caller.',
  409: 'Conflicts with the current state.',
  413: 'The body is larger than the server accepts (`payload_too_large`).',
  415: 'The body has a media type this route does not accept (`unsupported_media_type`).',
  422: 'Well-formed but not acceptable.',
  429: 'Too many requests (`rate_limited`); see the Retry-After header.',
  500: 'Unexpected server error (`internal_error`).',
  502: 'A service the API depends on (a payment provider) did not answer; nothing was changed.',
  503: 'Temporarily unavailable.',
}

type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503

function problemResponses(statuses: number[]) {
  return Object.fromEntries(
    [...new Set(statuses)].map((status) => [status, { description: PROBLEM_DESCRIPTIONS[status], content: problemContent }]),
  )
}

/** Problem responses for a route's `response` map: the given ones, plus 429 and 500 that every route may answer. */
export function problems(...statuses: ProblemStatus[]) {
  return problemResponses([...statuses, 429, 500])
}

/** The same for probes, which are exempt from rate limiting. */
export function probeProblems(...statuses: ProblemStatus[]) {
  return problemResponses([...statuses, 500])
}

export const sharedSchemas: TSchema[] = [ProblemFieldError, Problem]
