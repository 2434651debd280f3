import type { FastifyRequest } from 'fastify'
import type {} from '@fastify/multipart'
import { createReadStream, createWriteStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { DomainError, UnprocessableError } from '../common/errors.ts'
import { uuidv7 } from '../common/uuid.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { allowedTypeOf } from './file-check.ts'
import { safeFileName } from './file-name.ts'

export interface Uploaded {
  id: string
  fileName: string
  contentType: string
  bytes: number
  storageKey: string
}

export interface UploadLimits {
  maxBytes: number
  maxFiles: number
  tmpDir: string
}

const typeNotAllowed = (name: string) =>
  new DomainError(415, 'attachment_type_not_allowed', 'Unsupported Media Type', `${name}: only PDF, Word (.doc, .docx), JPEG and PNG files are taken (by their contents, whatever the name says).`)

/**
 * The files of a multipart request, each streamed to a spool file on disk (cut off at the size
 * limit, so an oversize file never fills the disk), its type read from its bytes, then streamed
 * into the blob store. Nothing is held whole in memory. Any refusal removes every file of the
 * request, spooled or stored: an upload is all or nothing.
 */
export async function receiveUploads(request: FastifyRequest, limits: UploadLimits, store: BlobStore, keyFor: (id: string) => string): Promise<Uploaded[]> {
  const stored: Uploaded[] = []
  let spool: string | null = null
  try {
    const parts = request.parts({ limits: { fileSize: limits.maxBytes, files: limits.maxFiles, fields: 5, fieldSize: 1024, parts: limits.maxFiles + 5 } })
    for await (const part of parts) {
      if (part.type !== 'file') continue
      const id = uuidv7()
      spool = path.join(limits.tmpDir, `abonent-upload-${id}`)
      await pipeline(part.file, createWriteStream(spool, { flags: 'wx' }))
      const { size } = await stat(spool)
      const type = size > 0 ? await allowedTypeOf(spool) : null
      if (!type) throw typeNotAllowed(safeFileName(part.filename, 'file').replace(/\.file$/, ''))
      const storageKey = keyFor(id)
      await store.put(storageKey, createReadStream(spool), type.mime)
      stored.push({ id, fileName: safeFileName(part.filename, type.ext), contentType: type.mime, bytes: size, storageKey })
      await rm(spool, { force: true })
      spool = null
    }
    if (stored.length === 0) throw new UnprocessableError('attachment_missing', 'Send one or more files as multipart/form-data parts.')
    return stored
  } catch (error) {
    if (spool) await rm(spool, { force: true })
    await Promise.all(stored.map((file) => store.delete(file.storageKey).catch(() => {})))
    throw uploadProblem(error, limits)
  }
}

function uploadProblem(error: unknown, limits: UploadLimits): unknown {
  const code = (error as { code?: string }).code
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new UnprocessableError('attachment_too_large', `A file is larger than ${limits.maxBytes} bytes.`)
  }
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
    return new UnprocessableError('too_many_attachments', `At most ${limits.maxFiles} files at once.`)
  }
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new DomainError(415, 'unsupported_media_type', 'Unsupported Media Type', 'Send the files as multipart/form-data.')
  }
  return error
}
