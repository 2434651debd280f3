import AjvCompiler from '@fastify/ajv-compiler'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import accountRoutes from './accounts/routes.ts'
import { accountSchemas } from './accounts/schemas.ts'
import accountsService from './accounts/service.ts'
import registerRoutes from './admin/registry-routes.ts'
import { registerAdminSchemas } from './admin/registry-schemas.ts'
import registerService from './admin/registry-service.ts'
import { adminSchemas } from './admin/schemas.ts'
import supplierAdminRoutes from './admin/supplier-routes.ts'
import { supplierAdminSchemas } from './admin/supplier-schemas.ts'
import supplierAdminService from './admin/supplier-service.ts'
import audit from './audit/audit.ts'
import importRoutes from './imports/routes.ts'
import jobs from './jobs/index.ts'
import jobRoutes from './jobs/routes.ts'
import { jobSchemas } from './jobs/schemas.ts'
import { importSchemas } from './imports/schemas.ts'
import importService from './imports/service.ts'
import statementRoutes from './statements/routes.ts'
import { statementSchemas } from './statements/schemas.ts'
import statementService from './statements/service.ts'
import staffRoutes from './admin/staff-routes.ts'
import staffService from './admin/staff-service.ts'
import authGuard from './access/guard.ts'
import authRoutes from './auth/routes.ts'
import { authSchemas } from './auth/schemas.ts'
import authService from './auth/service.ts'
import { sharedSchemas } from './common/schemas.ts'
import type { Config } from './config.ts'
import mail from './mail/outbox.ts'
import meRoutes from './me/routes.ts'
import { meSchemas } from './me/schemas.ts'
import meService from './me/service.ts'
import readiness from './meta/readiness.ts'
import metaRoutes from './meta/routes.ts'
import { metaSchemas } from './meta/schemas.ts'
import configPlugin from './plugins/app/config.ts'
import metrics from './plugins/app/metrics.ts'
import idempotency from './plugins/app/idempotency.ts'
import prisma from './plugins/app/prisma.ts'
import responseHeaders from './plugins/app/response-headers.ts'
import readingRoutes from './readings/routes.ts'
import { readingSchemas } from './readings/schemas.ts'
import readingReminders from './readings/reminders.ts'
import readingService from './readings/service.ts'
import problemHandler from './plugins/app/problem-handler.ts'
import requestId, { genReqId } from './plugins/app/request-id.ts'
import cors from './plugins/external/cors.ts'
import helmet from './plugins/external/helmet.ts'
import jwt from './plugins/external/jwt.ts'
import rateLimit from './plugins/external/rate-limit.ts'
import swagger from './plugins/external/swagger.ts'
import underPressure from './plugins/external/under-pressure.ts'
import supplierRoutes from './suppliers/routes.ts'
import { supplierSchemas } from './suppliers/schemas.ts'
import suppliersService from './suppliers/service.ts'

export type App = FastifyInstance

const ajvBase = { removeAdditional: false, useDefaults: true, allErrors: true } as const

/**
 * Query strings, path parameters and headers arrive as text and are coerced to the schema's
 * types; JSON bodies are not: `"amount": 12` where a decimal string is expected is an error,
 * not a guess. Unknown members are rejected (`additionalProperties: false`), never dropped.
 */
type RouteSchemaDefinition = { httpPart?: string }
type CompileForRoute = (route: RouteSchemaDefinition) => unknown
// @fastify/ajv-compiler's typings describe the compiler as taking a bare schema; at run time
// (and in Fastify's own use) it takes the route's schema definition, as written here.
const ajvCompiler = AjvCompiler() as unknown as (externalSchemas: unknown, options: unknown) => CompileForRoute

const schemaController = {
  compilersFactory: {
    buildValidator(externalSchemas: unknown, ajvServerOption: Record<string, unknown>): CompileForRoute {
      const coercing = ajvCompiler(externalSchemas, { ...ajvServerOption, customOptions: { ...ajvBase, coerceTypes: 'array' } })
      const strict = ajvCompiler(externalSchemas, { ...ajvServerOption, customOptions: { ...ajvBase, coerceTypes: false } })
      return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route))
    },
  },
} as unknown as FastifyServerOptions['schemaController']

export interface BuildOptions {
  /** Replaces the pino logger built from the config (tests pass `false` or a stream). */
  logger?: FastifyServerOptions['logger']
}

/** The whole API as one Fastify instance; `server.ts` only starts it, tests inject into it. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
    },
    genReqId,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    schemaController,
  }).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(configPlugin, { config })
  await app.register(requestId)
  await app.register(helmet)
  await app.register(cors)
  await app.register(rateLimit)
  await app.register(underPressure)
  await app.register(problemHandler)
  const schemas = [...sharedSchemas, ...metaSchemas, ...supplierSchemas, ...authSchemas, ...meSchemas, ...adminSchemas, ...accountSchemas, ...importSchemas, ...statementSchemas, ...supplierAdminSchemas, ...registerAdminSchemas, ...readingSchemas, ...jobSchemas]
  for (const schema of schemas) app.addSchema(schema)
  await app.register(prisma)
  await app.register(jobs)
  await app.register(jwt)
  // Before swagger: the guard writes each route's `security` into its schema.
  await app.register(authGuard)
  await app.register(idempotency)
  await app.register(responseHeaders)
  await app.register(swagger)

  await app.register(metrics)
  await app.register(readiness)
  await app.register(mail)
  await app.register(suppliersService)
  await app.register(authService)
  await app.register(meService)
  await app.register(staffService)
  await app.register(audit)
  await app.register(accountsService)
  await app.register(importService)
  await app.register(statementService)
  await app.register(supplierAdminService)
  await app.register(registerService)
  await app.register(readingService)
  await app.register(readingReminders)

  await app.register(metaRoutes)
  await app.register(
    async (v1) => {
      await v1.register(supplierRoutes)
      await v1.register(authRoutes)
      await v1.register(meRoutes)
      await v1.register(staffRoutes)
      await v1.register(accountRoutes)
      await v1.register(importRoutes)
      await v1.register(statementRoutes)
      await v1.register(supplierAdminRoutes)
      await v1.register(registerRoutes)
      await v1.register(readingRoutes)
      await v1.register(jobRoutes)
    },
    { prefix: '/v1' },
  )
  return app
}
