import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import type { Readable } from 'node:stream'
import { assertKey, type BlobStore } from './blob-store.ts'

export interface S3Settings {
  bucket: string
  /** Unset: AWS itself; set for Yandex Object Storage, MinIO, VK Cloud and the like. */
  endpoint: string | undefined
  region: string
  forcePathStyle: boolean
  /** Unset: the SDK's own chain (environment, profile, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined
  /** Prepended to every key, so that one bucket can serve several installations. */
  prefix: string
}

/** 8 MiB parts, two in flight: a stream of any length is uploaded in at most ~16 MiB of memory. */
const PART_SIZE = 8 * 1024 * 1024
const PARTS_IN_FLIGHT = 2

/**
 * Objects in an S3-compatible bucket. Writes are multipart uploads (lib-storage), which the
 * store completes only after the last part, and aborts on failure: an object is whole or absent.
 */
export function s3Store(settings: S3Settings): BlobStore & { client: S3Client } {
  const client = new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    // Other stores than AWS: checksums only where the S3 API requires them (several reject the SDK's newer defaults).
    ...(settings.endpoint ? { endpoint: settings.endpoint, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  })
  const Bucket = settings.bucket
  const keyOf = (key: string) => {
    assertKey(key)
    return `${settings.prefix}${key}`
  }
  return {
    client,
    async put(key, body: Readable, contentType) {
      let bytes = 0
      body.on('data', (chunk: Buffer) => {
        bytes += chunk.length
      })
      const upload = new Upload({ client, params: { Bucket, Key: keyOf(key), Body: body, ContentType: contentType }, partSize: PART_SIZE, queueSize: PARTS_IN_FLIGHT, leavePartsOnError: false })
      await upload.done()
      return { bytes }
    },
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(key) }))
        return { body: answer.Body as Readable, bytes: Number(answer.ContentLength ?? 0) }
      } catch (error) {
        if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return null
        throw error
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(key) }))
    },
  }
}
