import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { TSchema } from 'typebox'

// Route plugins are typed by their own type provider; what matters here is that Fastify can register them.
type AnyPlugin = FastifyPluginAsync<never> | ((app: never) => Promise<void>)

export interface DomainParts {
  /** Schemas the contract names (each with an `$id`), registered once. */
  schemas?: TSchema[]
  /** Service plugins, in dependency order. */
  services?: AnyPlugin[]
  /** Route plugins, under `prefix`. */
  routes?: AnyPlugin[]
  prefix?: string
}

/**
 * One domain as one plugin: its schemas, its services, its routes. `app.ts` registers each domain
 * with one line; a domain's services see the platform (config, database, jobs, mail, audit)
 * and the domains registered before it.
 */
export function domain(name: string, parts: DomainParts) {
  return fp(
    async function domainPlugin(app: FastifyInstance) {
      for (const schema of parts.schemas ?? []) app.addSchema(schema)
      for (const service of parts.services ?? []) await app.register(service as FastifyPluginAsync)
      for (const routes of parts.routes ?? []) await app.register(routes as FastifyPluginAsync, { prefix: parts.prefix ?? '/v1' })
    },
    { name: `domain:${name}` },
  )
}
