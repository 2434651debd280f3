import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { assertKey, type BlobStore } from './blob-store.ts'

/**
 * Objects as files under one directory. A write goes to a temporary name beside the target and is
 * renamed over it when complete, so a reader never sees half a file. One host only: processes on
 * several hosts need the S3 driver (or a shared volume).
 */
export function localStore(root: string): BlobStore {
  const fileOf = (key: string) => {
    assertKey(key)
    return path.join(root, ...key.split('/'))
  }
  return {
    async put(key, body: Readable) {
      const file = fileOf(key)
      await mkdir(path.dirname(file), { recursive: true })
      const partial = `${file}.${randomBytes(6).toString('hex')}.partial`
      try {
        await pipeline(body, createWriteStream(partial, { flags: 'wx' }))
        const { size } = await stat(partial)
        await rename(partial, file)
        return { bytes: size }
      } catch (error) {
        await rm(partial, { force: true })
        throw error
      }
    },
    async get(key) {
      const file = fileOf(key)
      try {
        const { size } = await stat(file)
        return { body: createReadStream(file), bytes: size }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw error
      }
    },
    async delete(key) {
      await rm(fileOf(key), { force: true })
    },
  }
}
