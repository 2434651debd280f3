import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'

/** The `application/pdf` content of a 200 answer that also comes as JSON. */
export const PDF_CONTENT = { 'application/pdf': { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) } }

/** Documents come as JSON unless the client asks for the PDF. */
export function wantsPdf(request: FastifyRequest): boolean {
  return /application\/pdf/i.test(request.headers.accept ?? '')
}
