import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { BlobStore } from './blob-store.ts'
import { localStore } from './local-store.ts'
import { s3Store } from './s3-store.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Files kept outside the database (print batches, attachments): a local directory or S3. */
    storage: BlobStore
  }
}

export default fp(
  async function storage(app: FastifyInstance) {
    const settings = app.config.storage
    if (settings.driver === 's3') {
      const store = s3Store(settings.s3)
      app.decorate('storage', store)
      app.addHook('onClose', async () => store.client.destroy())
    } else {
      app.decorate('storage', localStore(settings.dir))
    }
  },
  { name: 'storage', dependencies: ['config'] },
)
