import type { Readable } from 'node:stream'

/** A stored object read back: its bytes as a stream, and how many there are. */
export interface StoredBlob {
  body: Readable
  bytes: number
}

/**
 * Where files live that do not belong in PostgreSQL (print batches, ticket attachments): a local
 * directory or an S3-compatible bucket, chosen by STORAGE_DRIVER. Keys are made by the
 * application (`print-batches/<supplier>/<period>.pdf`), never taken from a request.
 */
export interface BlobStore {
  /** Streams `body` in under `key`; an object appears whole once this resolves, or not at all. */
  put(key: string, body: Readable, contentType: string): Promise<{ bytes: number }>
  /** The object, or null when there is none. */
  get(key: string): Promise<StoredBlob | null>
  /** Removes the object; removing one that is not there is not an error. */
  delete(key: string): Promise<void>
}

const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i

/** Keys are relative paths of plain segments: nothing that climbs out of a directory or bucket prefix. */
export function assertKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((segment) => segment === '..' || segment === '.')) throw new Error(`unusable storage key ${JSON.stringify(key)}`)
}
