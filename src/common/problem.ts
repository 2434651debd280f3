import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Problem } from './schemas.ts'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

export interface ProblemInit {
  status: number
  code: string
  title: string
  detail: string
  errors?: Problem['errors']
  extensions?: Record<string, unknown>
  /** Headers the answer carries (Retry-After on a 503). */
  headers?: Record<string, string>
}

export function buildProblem(request: FastifyRequest, init: ProblemInit): Problem {
  return {
    ...init.extensions,
    type: `urn:abonent:problem:${init.code}`,
    title: init.title,
    status: init.status,
    detail: init.detail,
    code: init.code,
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    ...(init.errors ? { errors: init.errors } : {}),
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, init: ProblemInit): FastifyReply {
  if (init.headers) reply.headers(init.headers)
  return reply.code(init.status).type(PROBLEM_CONTENT_TYPE).send(buildProblem(request, init))
}
