import AjvCompiler from '@fastify/ajv-compiler'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import audit from './audit/audit.ts'
import accountsDomain from './accounts/index.ts'
import aggregatorDomain from './aggregator/index.ts'
import adminDomain from './admin/index.ts'
import authDomain from './auth/index.ts'
import billingDomain from './billing/index.ts'
import importsDomain from './imports/index.ts'
import jobs from './jobs/index.ts'
import invoicesDomain from './invoices/index.ts'
import jobsDomain from './jobs/domain.ts'
import meDomain from './me/index.ts'
import paymentsDomain from './payments/index.ts'
import metaDomain from './meta/index.ts'
import readingsDomain from './readings/index.ts'
import statementsDomain from './statements/index.ts'
import webhooksDomain from './webhooks/index.ts'
import ticketsDomain from './tickets/index.ts'
import helpDomain from './help/index.ts'
import suppliersDomain from './suppliers/index.ts'
import authGuard from './access/guard.ts'
import { sharedSchemas } from './common/schemas.ts'
import type { Config } from './config.ts'
import mail from './mail/outbox.ts'
import renderPool from './rendering/render-pool.ts'
import storage from './storage/index.ts'
import configPlugin from './plugins/app/config.ts'
import metrics from './plugins/app/metrics.ts'
import idempotency from './plugins/app/idempotency.ts'
import prisma from './plugins/app/prisma.ts'
import responseHeaders from './plugins/app/response-headers.ts'
import problemHandler from './plugins/app/problem-handler.ts'
import inputGuard from './plugins/app/input-guard.ts'
import { clientErrorHandler, frameworkErrorHandler } from './plugins/app/client-error.ts'
import requestId, { genReqId } from './plugins/app/request-id.ts'
import cors from './plugins/external/cors.ts'
import helmet from './plugins/external/helmet.ts'
import jwt from './plugins/external/jwt.ts'
import rateLimit from './plugins/external/rate-limit.ts'
import swagger from './plugins/external/swagger.ts'
import underPressure from './plugins/external/under-pressure.ts'

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
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(configPlugin, { config })
  await app.register(requestId)
  await app.register(helmet)
  await app.register(cors)
  await app.register(rateLimit)
  await app.register(underPressure)
  await app.register(problemHandler)
  await app.register(inputGuard)
  for (const schema of sharedSchemas) app.addSchema(schema)
  // The platform every domain stands on.
  await app.register(prisma)
  await app.register(jobs)
  await app.register(jwt)
  // Before swagger: the guard writes each route's `security` into its schema.
  await app.register(authGuard)
  await app.register(idempotency)
  await app.register(responseHeaders)
  await app.register(swagger)
  await app.register(metrics)
  await app.register(mail)
  await app.register(renderPool)
  await app.register(storage)
  await app.register(audit)

  // One line per domain (schemas, services, routes), each after the domains it uses.
  await app.register(metaDomain)
  // Before the domains whose changes emit events (they only import its events.ts; this registers the delivery).
  await app.register(webhooksDomain)
  await app.register(suppliersDomain)
  await app.register(authDomain)
  await app.register(meDomain)
  await app.register(accountsDomain)
  await app.register(adminDomain)
  await app.register(importsDomain)
  await app.register(statementsDomain)
  await app.register(billingDomain)
  await app.register(invoicesDomain)
  await app.register(paymentsDomain)
  await app.register(aggregatorDomain)
  await app.register(readingsDomain)
  await app.register(ticketsDomain)
  await app.register(helpDomain)
  await app.register(jobsDomain)
  return app
}
