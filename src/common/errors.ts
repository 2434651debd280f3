/**
 * A failure the client can act on. Services throw these; the problem handler turns them into
 * RFC 9457 responses with the same `code`, so handlers never build error bodies themselves.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    /** Extension members added to the problem body (e.g. the next window's dates). */
    readonly extensions: Record<string, unknown> = {},
    /** Response headers that belong to the answer (WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
    this.name = 'DomainError'
  }

  /** The Russian detail of this occurrence, when the catalogue's general text would lose its figures. */
  detailRu: string | undefined

  inRussian(detail: string): this {
    this.detailRu = detail
    return this
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, detail: string) {
    super(404, code, 'Not found', detail)
  }
}

export class BadRequestError extends DomainError {
  constructor(code: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(400, code, 'Bad request', detail, extensions)
  }
}

export class UnauthorizedError extends DomainError {
  constructor(code: string, detail: string) {
    super(401, code, 'Unauthorized', detail, {}, { 'www-authenticate': `Bearer error="${code === 'unauthorized' ? 'invalid_request' : 'invalid_token'}"` })
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, detail: string) {
    super(403, code, 'Forbidden', detail)
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(422, code, 'Unprocessable request', detail, extensions)
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, detail: string) {
    super(409, code, 'Conflict', detail)
  }
}

/** Input refused before schema validation (characters no field may hold): answered like a schema error. */
export class InvalidInputError extends DomainError {
  constructor(readonly fieldErrors: { in: 'body' | 'query' | 'path' | 'header'; pointer: string; detail: string }[]) {
    super(400, 'validation_failed', 'Validation failed', 'The request has invalid members; see `errors`.')
  }
}
