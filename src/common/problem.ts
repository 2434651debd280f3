import type { FastifyReply, FastifyRequest } from 'fastify'
import { prefersEnglish } from './language.ts'
import { PROBLEM_DETAILS_RU, PROBLEM_TITLES_RU } from './problem-texts.ts'
import type { Problem } from './schemas.ts'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

export interface ProblemInit {
  status: number
  code: string
  title: string
  detail: string
  errors?: Problem['errors']
  extensions?: Record<string, unknown>
  /** The Russian detail of this occurrence (else the catalogue's text for the code). */
  detailRu?: string | undefined
  /** Headers the answer carries (Retry-After on a 503). */
  headers?: Record<string, string>
}

/** The texts of a problem in the caller's language (Russian by default; the code-side English on request). */
function localized(init: ProblemInit, english: boolean): { title: string; detail: string } {
  if (english) return { title: init.title, detail: init.detail }
  return { title: PROBLEM_TITLES_RU[init.status] ?? init.title, detail: init.detailRu ?? PROBLEM_DETAILS_RU[init.code] ?? init.detail }
}

export function buildProblem(request: FastifyRequest, init: ProblemInit, english = prefersEnglish(request.headers['accept-language'])): Problem {
  const { title, detail } = localized(init, english)
  return {
    ...init.extensions,
    type: `urn:abonent:problem:${init.code}`,
    title,
    status: init.status,
    detail,
    code: init.code,
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    ...(init.errors ? { errors: init.errors } : {}),
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, init: ProblemInit): FastifyReply {
  if (init.headers) reply.headers(init.headers)
  const english = prefersEnglish(request.headers['accept-language'])
  const vary = reply.getHeader('vary')
  reply.header('content-language', english ? 'en' : 'ru')
  reply.header('vary', vary ? `${String(vary)}, Accept-Language` : 'Accept-Language')
  return reply.code(init.status).type(PROBLEM_CONTENT_TYPE).send(buildProblem(request, init, english))
}
