import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import { s3Store } from '../../src/storage/s3-store.ts'
import type { BlobStore } from '../../src/storage/blob-store.ts'

export interface S3Server {
  /** The environment that points the app's storage at this server's bucket. */
  env: Record<string, string>
  endpoint: string
  bucket: string
  stop(): Promise<void>
  /** Starts it again on the same port and directory (after `stop`), objects kept. */
  start(): Promise<void>
  close(): Promise<void>
  /** The app's S3 driver on this server's bucket, for arranging and checking objects. */
  store(prefix?: string): BlobStore
}

/** A real S3-compatible server (s3rver) on a free local port, with one empty bucket. */
export async function startS3Server(bucket = 'abonent-test'): Promise<S3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), 'abonent-s3-'))
  let port = 0
  let server: S3rver | null = null
  const start = async () => {
    server = new S3rver({ port, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] })
    port = (await server.run()).port
  }
  const stop = async () => {
    await server?.close()
    server = null
  }
  await start()
  const endpoint = `http://127.0.0.1:${port}`
  return {
    env: {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
    endpoint,
    bucket,
    stop,
    start,
    store: (prefix = '') =>
      s3Store({ bucket, endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, prefix }),
    async close() {
      await stop()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
