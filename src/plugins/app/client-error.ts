import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PROBLEM_CONTENT_TYPE, sendProblem } from '../../common/problem.ts'
import { PROBLEM_DETAILS_RU, PROBLEM_TITLES_RU } from '../../common/problem-texts.ts'

const ANSWERS: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    detail: 'The request line and headers together are too large (16 KiB at most); send a shorter URL or fewer cookies.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', detail: 'The request did not arrive in time.' },
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers too large, a
 * malformed request line, a request that never finished). They get a problem like every other
 * error, with a request id, instead of Fastify's plain JSON. There is no request to read a
 * caller's X-Request-Id from, so a new one is made.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const answer = ANSWERS[error.code ?? ''] ?? { status: 400, code: 'malformed_request', detail: 'The request is not valid HTTP.' }
  const requestId = randomUUID()
  const title = STATUS_CODES[answer.status] ?? 'Bad request'
  // No request was read, so no Accept-Language either: the default language, Russian.
  const body = JSON.stringify({
    type: `urn:abonent:problem:${answer.code}`,
    title: PROBLEM_TITLES_RU[answer.status] ?? title,
    status: answer.status,
    detail: PROBLEM_DETAILS_RU[answer.code] ?? answer.detail,
    code: answer.code,
    requestId,
  })
  this.log.info({ code: answer.code, requestId, err: error }, 'client error before routing')
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nContent-Language: ru\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}

/**
 * Requests Fastify's router refuses before any hook runs: a malformed percent-encoding in the
 * path, or a path segment over 100 characters. They answer problems too.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id).header('cache-control', 'no-store')
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
  void sendProblem(
    request,
    reply,
    tooLong
      ? { status: 414, code: 'uri_too_long', title: 'URI too long', detail: 'A path segment is longer than 100 characters.' }
      : { status: 400, code: 'malformed_url', title: 'Bad request', detail: 'The URL is not valid (a malformed percent-encoding?).' },
  )
}
