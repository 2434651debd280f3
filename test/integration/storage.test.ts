import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { BlobStore } from '../../src/storage/blob-store.ts'
import { localStore } from '../../src/storage/local-store.ts'
import { startS3Server, type S3Server } from '../support/s3.ts'

let s3: S3Server
let dir: string
beforeAll(async () => {
  s3 = await startS3Server()
  dir = await mkdtemp(path.join(tmpdir(), 'abonent-store-'))
})
afterAll(async () => {
  await s3.close()
  await rm(dir, { recursive: true, force: true })
})

const read = async (stream: Readable) => {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A stream of `parts` megabytes, then (optionally) an error instead of the end. */
function megabytes(parts: number, failAtEnd = false): Readable {
  let sent = 0
  return new Readable({
    read() {
      if (sent < parts) this.push(Buffer.alloc(1024 * 1024, sent++ % 251))
      else if (failAtEnd) this.destroy(new Error('the source broke'))
      else this.push(null)
    },
  })
}

const stores: [string, () => BlobStore][] = [
  ['local directory', () => localStore(dir)],
  ['S3-compatible bucket (s3rver)', () => s3.store('test/')],
]

describe.each(stores)('%s', (_name, make) => {
  it('streams an object in (in several multipart parts for S3) and back out byte for byte', async () => {
    const store = make()
    const put = await store.put('print-batches/a/2026-11.pdf', megabytes(20), 'application/pdf')
    expect(put.bytes).toBe(20 * 1024 * 1024)
    const blob = (await store.get('print-batches/a/2026-11.pdf'))!
    expect(blob.bytes).toBe(put.bytes)
    const bytes = await read(blob.body)
    expect(bytes.length).toBe(put.bytes)
    expect(bytes[0]).toBe(0)
    expect(bytes[19 * 1024 * 1024]).toBe(19)
  })

  it('replaces an object whole, and answers null for one that is not there or was deleted', async () => {
    const store = make()
    await store.put('x/one.pdf', Readable.from([Buffer.from('first')]), 'application/pdf')
    await store.put('x/one.pdf', Readable.from([Buffer.from('second')]), 'application/pdf')
    expect((await read((await store.get('x/one.pdf'))!.body)).toString()).toBe('second')
    await store.delete('x/one.pdf')
    expect(await store.get('x/one.pdf')).toBeNull()
    expect(await store.get('x/never.pdf')).toBeNull()
    await store.delete('x/never.pdf')
  })

  it('leaves nothing behind when the source fails part-way, and keeps the object that was there', async () => {
    const store = make()
    await store.put('y/kept.pdf', Readable.from([Buffer.from('complete')]), 'application/pdf')
    await expect(store.put('y/kept.pdf', megabytes(12, true), 'application/pdf')).rejects.toThrow()
    await expect(store.put('y/new.pdf', megabytes(12, true), 'application/pdf')).rejects.toThrow()
    expect((await read((await store.get('y/kept.pdf'))!.body)).toString()).toBe('complete')
    expect(await store.get('y/new.pdf')).toBeNull()
  })

  it('refuses keys that climb out of its directory or prefix', async () => {
    const store = make()
    for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/./b', '']) {
      await expect(store.put(key, Readable.from([Buffer.from('x')]), 'text/plain')).rejects.toThrow(/unusable storage key/)
      await expect(store.get(key)).rejects.toThrow(/unusable storage key/)
    }
  })
})

it('the local directory holds no partial files after a failed write', async () => {
  const files = await readdir(path.join(dir, 'y'))
  expect(files.sort()).toEqual(['kept.pdf'])
})
