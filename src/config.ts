import { availableParallelism, tmpdir } from 'node:os'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { systemClock, type Clock } from './common/clock.ts'
import { systemResolve, type Resolve } from './common/resolve.ts'
import type { S3Settings } from './storage/s3-store.ts'


/**
 * Every environment variable the application reads, with its default. `.env.example` lists the
 * same variables; a test keeps the two in step.
 */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Enum(['development', 'test', 'production'], { default: 'development' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  EMBEDDED_PG_DIR: Type.String({ minLength: 1, default: '.data/postgres' }),
  EMBEDDED_PG_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 54329 }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  SEED_DEMO_DATA: Type.Optional(Type.Boolean()),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 300 }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  CORS_ORIGINS: Type.String({ default: '' }),
  TRUST_PROXY: Type.Boolean({ default: false }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 30_000 }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 72_000 }),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, default: 1000 }),
  PUBLIC_WEB_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:5173' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  ACCESS_TOKEN_TTL_S: Type.Integer({ minimum: 60, maximum: 3600, default: 900 }),
  REFRESH_TOKEN_TTL_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  REFRESH_REUSE_GRACE_S: Type.Integer({ minimum: 0, maximum: 300, default: 30 }),
  PASSWORD_PEPPER: Type.Optional(Type.String({ minLength: 32 })),
  BCRYPT_COST: Type.Integer({ minimum: 4, maximum: 15, default: 12 }),
  PASSWORD_MIN_SCORE: Type.Integer({ minimum: 0, maximum: 4, default: 3 }),
  EMAIL_CONFIRM_TTL_H: Type.Integer({ minimum: 1, default: 48 }),
  PASSWORD_RESET_TTL_MIN: Type.Integer({ minimum: 5, default: 60 }),
  CONSENT_TEXT_VERSION: Type.String({ minLength: 1, default: '2026-01' }),
  AUTH_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 20 }),
  AUTH_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  LOGIN_ATTEMPTS_PER_LOGIN: Type.Integer({ minimum: 1, default: 10 }),
  LOGIN_ATTEMPTS_WINDOW_MS: Type.Integer({ minimum: 1000, default: 900_000 }),
  CAPTCHA_PROVIDER: Type.Enum(['altcha', 'yandex', 'none'], { default: 'altcha' }),
  CAPTCHA_WORK: Type.Integer({ minimum: 10, maximum: 10_000_000, default: 50_000 }),
  CAPTCHA_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  CAPTCHA_VERIFY_URL: Type.String({ pattern: '^https?://', default: 'https://smartcaptcha.yandexcloud.net/validate' }),
  CAPTCHA_AFTER_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Abonent <no-reply@abonent.local>' }),
  MAIL_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 12 }),
  MAX_LINKED_ACCOUNTS: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
  LINK_CAPTCHA_AFTER_FAILURES: Type.Integer({ minimum: 1, default: 3 }),
  LINK_PAUSE_AFTER_FAILURES: Type.Integer({ minimum: 1, default: 10 }),
  LINK_FAILURE_WINDOW_MS: Type.Integer({ minimum: 60_000, maximum: 86_400_000, default: 86_400_000 }),
  IMPORT_MAX_BYTES: Type.Integer({ minimum: 1024, default: 2_147_483_648 }),
  IMPORT_JSON_MAX_BYTES: Type.Integer({ minimum: 1024, default: 20_971_520 }),
  IDEMPOTENCY_TTL_H: Type.Integer({ minimum: 24, default: 48 }),
  READING_REMINDER_HOUR: Type.Integer({ minimum: 0, maximum: 23, default: 10 }),
  PROCESS_ROLES: Type.String({ pattern: '^(api|worker)(,(api|worker))?$', default: 'api,worker' }),
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 50, default: 4 }),
  WORKER_NICE: Type.Integer({ minimum: 0, maximum: 19, default: 10 }),
  JOB_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  PDF_THREADS: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  STORAGE_DRIVER: Type.Enum(['local', 's3'], { default: 'local' }),
  STORAGE_DIR: Type.String({ minLength: 1, default: '.data/storage' }),
  S3_BUCKET: Type.Optional(Type.String({ minLength: 3, maxLength: 63 })),
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  S3_REGION: Type.String({ minLength: 1, default: 'us-east-1' }),
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: false }),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  S3_PREFIX: Type.String({ pattern: '^([a-z0-9][a-z0-9._-]*/)*$', default: '' }),
  DATA_ENCRYPTION_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$', description: '32 bytes, base64' })),
  CLOUDPAYMENTS_API_URL: Type.String({ pattern: '^https?://', default: 'https://api.cloudpayments.ru' }),
  TBANK_API_URL: Type.String({ pattern: '^https?://', default: 'https://securepay.tinkoff.ru/v2' }),
  PAYMENT_PROVIDER_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 60_000, default: 10_000 }),
  PUBLIC_API_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000' }),
  PAYMENT_RETURN_ORIGINS: Type.String({ default: '' }),
  PAYMENTS_SANDBOX: Type.Optional(Type.Boolean()),
  PAYMENT_SANDBOX_SECRET: Type.Optional(Type.String({ pattern: '^whsec_[A-Za-z0-9+/]{32,}={0,2}$' })),
  PAYMENT_PENDING_TTL_MIN: Type.Integer({ minimum: 5, maximum: 10_080, default: 60 }),
  AUTOPAY_NOTICE_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 48 }),
  PAYMENT_PENALTIES_FIRST: Type.Boolean({ default: false }),
  PAYMENT_NOTIFICATION_TOLERANCE_S: Type.Integer({ minimum: 30, maximum: 3600, default: 300 }),
  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({ default: false }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 15_000 }),
  WEBHOOK_ROTATION_HOURS: Type.Integer({ minimum: 0, maximum: 720, default: 24 }),
  WEBHOOK_DISABLE_AFTER_DAYS: Type.Integer({ minimum: 1, maximum: 60, default: 5 }),
  WEBHOOK_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
  TICKET_ATTACHMENT_MAX_BYTES: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024, default: 10 * 1024 * 1024 }),
  TICKET_ATTACHMENT_MAX_FILES: Type.Integer({ minimum: 1, maximum: 50, default: 5 }),
  TICKET_REOPEN_DAYS: Type.Integer({ minimum: 0, maximum: 365, default: 14 }),
  UPLOAD_TMP_DIR: Type.Optional(Type.String({ minLength: 1 })),
})
export type Env = Static<typeof EnvSchema>

export interface Config {
  env: Env['NODE_ENV']
  host: string
  port: number
  logLevel: Env['LOG_LEVEL']
  /** Unset: the server starts an embedded PostgreSQL under `embeddedPg.dir`. */
  databaseUrl: string | undefined
  dbPoolMax: number
  embeddedPg: { dir: string; port: number }
  migrateOnStart: boolean
  /** Seed the demo suppliers into an empty database at start (default: outside production). */
  seedDemoData: boolean
  bodyLimit: number
  rateLimit: { max: number; windowMs: number }
  corsOrigins: string[]
  trustProxy: boolean
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  shutdownGraceMs: number
  maxEventLoopDelayMs: number
  /** The customers' web app: links in mails point there. */
  publicWebUrl: string
  auth: {
    jwtSecret: string
    accessTokenTtlS: number
    refreshTokenTtlDays: number
    /** A refresh token presented again this soon after its rotation gets the same successor (two tabs racing). */
    refreshReuseGraceS: number
    passwordPepper: string
    bcryptCost: number
    passwordMinScore: number
    emailConfirmTtlH: number
    passwordResetTtlMin: number
    consentTextVersion: string
    rateLimit: { max: number; windowMs: number }
    loginAttempts: { max: number; windowMs: number }
    captcha: {
      provider: 'altcha' | 'yandex' | 'none'
      secret: string | undefined
      /** ALTCHA's signing key when CAPTCHA_SECRET is not set: derived from the JWT secret. */
      fallbackSecret: string
      verifyUrl: string
      afterFailures: number
      /** ALTCHA: the most hash computations a challenge costs the client. */
      work: number
    }
  }
  mail: { smtpUrl: string | undefined; from: string; maxAttempts: number }
  /** Accounts one person may link. */
  maxLinkedAccounts: number
  /** Failed account checks (registration, linking) before a captcha, and before a pause, per person and per address. */
  linking: { captchaAfter: number; pauseAfter: number; windowMs: number }
  /** Upload limits of register imports: streamed CSV/NDJSON, and JSON arrays (held in memory). */
  imports: { maxBytes: number; jsonMaxBytes: number }
  /** How long responses to Idempotency-Key requests are kept (API.md: at least 24 h). */
  idempotencyTtlH: number
  /** The supplier-local hour from which the reminders of a window that opened that day go out. */
  readingReminderHour: number
  /** What this process does: serve the API, run the background jobs, or both (`npm start`). */
  roles: { api: boolean; worker: boolean }
  /** Jobs one worker process runs at once, and how often a failing job is tried by default. */
  /**
   * Jobs one worker process runs at once, and how often a failing job is tried by default; the
   * CPU niceness of a worker-only process, so that on shared cores requests go first.
   */
  jobs: { concurrency: number; maxAttempts: number; nice: number }
  /** Where "now" comes from (the system clock; tests set their own). */
  clock: Clock
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined
  /** Worker threads that draw PDFs (receipts, statements, certificates) off the event loop. */
  documents: { renderThreads: number }
  /** Files outside the database (print batches): a directory on this host, or an S3-compatible bucket. */
  storage: { driver: 'local' | 's3'; dir: string; s3: S3Settings }
  /** Where the API is reached from outside: payment pages and providers' notifications point there. */
  publicApiUrl: string
  payments: {
    /** Origins (and app schemes) a payment may send the customer back to: the web app's, and PAYMENT_RETURN_ORIGINS. */
    returnOrigins: string[]
    /** The sandbox provider (a page that pretends to take the money): never in production. */
    sandbox: { enabled: boolean; secret: string }
    /** A pending online payment not settled by then is canceled. */
    pendingTtlMin: number
    /** An autopay charge is announced by mail this long before it is taken. */
    autopayNoticeHours: number
    /** How old a signed notification may be (its signed timestamp against the clock). */
    notificationToleranceS: number
    /** Payments pay each receipt's penalties before its principal (default: principal first). */
    penaltiesFirst: boolean
    /** The providers' API addresses (tests point them at local fakes) and how long a call may take. */
    cloudPaymentsApiUrl: string
    tbankApiUrl: string
    providerTimeoutMs: number
  }
  /** Encrypts secrets kept in the database (providers' credentials, webhook secrets). */
  dataEncryptionKey: Buffer
  webhooks: {
    /** Development only: endpoints may use http and point at loopback or private addresses. */
    allowPrivate: boolean
    /** An attempt that has no complete answer by then has failed. */
    timeoutMs: number
    /** After a rotation the old secret keeps signing this long. */
    rotationHours: number
    /** An endpoint failing without a success this long is disabled and its contact mailed. */
    disableAfterDays: number
    /** Finished deliveries, their attempts and events are kept this long. */
    retentionDays: number
    /** How host names become addresses (tests give names the addresses they need). */
    resolve: Resolve
  }
  tickets: {
    /** Per file, and files per upload or message. */
    attachmentMaxBytes: number
    attachmentMaxFiles: number
    /** A customer may reopen a resolved or closed ticket for this long. */
    reopenDays: number
    /** Where an upload is spooled while its type is checked (on disk, never whole in memory). */
    tmpDir: string
  }
}

/** PDF render threads: PDF_THREADS, or one fewer than the cores (at least one), leaving a core to the event loop. */
function renderThreads(configured: number | undefined): number {
  return configured ?? Math.max(1, availableParallelism() - 1)
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false }

/** Turns the strings of an environment into the schema's types without guessing: "abc" stays a string and fails. */
function coerce(raw: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(EnvSchema.properties)) {
    const value = raw[key]
    if (value === undefined || value === '') continue
    const type = (schema as { type?: string }).type
    if (type === 'integer') out[key] = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value
    else if (type === 'boolean') out[key] = BOOLEAN_WORDS[value.trim().toLowerCase()] ?? value
    else out[key] = value
  }
  return out
}

/** Reads and validates the configuration once; every problem is reported with its variable's name. */
export function loadConfig(raw: Record<string, string | undefined>): Config {
  const values = Value.Default(EnvSchema, coerce(raw)) as Record<string, unknown>
  const problems = new Map<string, string>()
  for (const error of Value.Errors(EnvSchema, values)) {
    const name = error.instancePath.replace(/^\//, '')
    if (!problems.has(name)) problems.set(name, `${name}: ${error.message} (got ${JSON.stringify(raw[name])})`)
  }
  if (problems.size > 0) throw new ConfigError([...problems.values()])
  const env = values as Env
  if (env.NODE_ENV === 'production') {
    const missing = (['DATABASE_URL', 'JWT_SECRET', 'PASSWORD_PEPPER', 'DATA_ENCRYPTION_KEY'] as const).filter((name) => env[name] === undefined)
    if (missing.length > 0) throw new ConfigError(missing.map((name) => `${name}: is required when NODE_ENV is production`))
  }
  if (env.CAPTCHA_PROVIDER === 'yandex' && env.CAPTCHA_SECRET === undefined) {
    throw new ConfigError([`CAPTCHA_SECRET: is required when CAPTCHA_PROVIDER is ${env.CAPTCHA_PROVIDER}`])
  }
  if (env.NODE_ENV === 'production' && env.WEBHOOK_ALLOW_PRIVATE) {
    throw new ConfigError(['WEBHOOK_ALLOW_PRIVATE: sending webhooks over http and to private addresses is for development; production refuses it'])
  }
  if (env.NODE_ENV === 'production' && env.PAYMENTS_SANDBOX === true) {
    throw new ConfigError(['PAYMENTS_SANDBOX: the sandbox pretends to take money, so production refuses it'])
  }
  if (env.STORAGE_DRIVER === 's3' && env.S3_BUCKET === undefined) throw new ConfigError(['S3_BUCKET: is required when STORAGE_DRIVER is s3'])
  if ((env.S3_ACCESS_KEY_ID === undefined) !== (env.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError(['S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither (the SDK then finds credentials itself)'])
  }
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    databaseUrl: env.DATABASE_URL,
    dbPoolMax: env.DB_POOL_MAX,
    embeddedPg: { dir: env.EMBEDDED_PG_DIR, port: env.EMBEDDED_PG_PORT },
    migrateOnStart: env.MIGRATE_ON_START,
    seedDemoData: env.SEED_DEMO_DATA ?? env.NODE_ENV !== 'production',
    bodyLimit: env.BODY_LIMIT_BYTES,
    rateLimit: { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS },
    corsOrigins: env.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean),
    trustProxy: env.TRUST_PROXY,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY_MS,
    publicWebUrl: env.PUBLIC_WEB_URL.replace(/\/+$/, ''),
    auth: {
      // Development defaults only: production refuses to start without its own secrets (above).
      jwtSecret: env.JWT_SECRET ?? 'development-only-jwt-secret-do-not-use-in-production',
      accessTokenTtlS: env.ACCESS_TOKEN_TTL_S,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      refreshReuseGraceS: env.REFRESH_REUSE_GRACE_S,
      passwordPepper: env.PASSWORD_PEPPER ?? 'development-only-pepper-do-not-use-in-production',
      bcryptCost: env.BCRYPT_COST,
      passwordMinScore: env.PASSWORD_MIN_SCORE,
      emailConfirmTtlH: env.EMAIL_CONFIRM_TTL_H,
      passwordResetTtlMin: env.PASSWORD_RESET_TTL_MIN,
      consentTextVersion: env.CONSENT_TEXT_VERSION,
      rateLimit: { max: env.AUTH_RATE_LIMIT_MAX, windowMs: env.AUTH_RATE_LIMIT_WINDOW_MS },
      loginAttempts: { max: env.LOGIN_ATTEMPTS_PER_LOGIN, windowMs: env.LOGIN_ATTEMPTS_WINDOW_MS },
      captcha: {
        provider: env.CAPTCHA_PROVIDER,
        secret: env.CAPTCHA_SECRET,
        fallbackSecret: env.JWT_SECRET ?? 'development-only-jwt-secret-do-not-use-in-production',
        verifyUrl: env.CAPTCHA_VERIFY_URL,
        afterFailures: env.CAPTCHA_AFTER_FAILURES,
        work: env.CAPTCHA_WORK,
      },
    },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, maxAttempts: env.MAIL_MAX_ATTEMPTS },
    maxLinkedAccounts: env.MAX_LINKED_ACCOUNTS,
    linking: { captchaAfter: env.LINK_CAPTCHA_AFTER_FAILURES, pauseAfter: env.LINK_PAUSE_AFTER_FAILURES, windowMs: env.LINK_FAILURE_WINDOW_MS },
    imports: { maxBytes: env.IMPORT_MAX_BYTES, jsonMaxBytes: env.IMPORT_JSON_MAX_BYTES },
    idempotencyTtlH: env.IDEMPOTENCY_TTL_H,
    readingReminderHour: env.READING_REMINDER_HOUR,
    roles: { api: env.PROCESS_ROLES.split(',').includes('api'), worker: env.PROCESS_ROLES.split(',').includes('worker') },
    jobs: { concurrency: env.WORKER_CONCURRENCY, maxAttempts: env.JOB_MAX_ATTEMPTS, nice: env.WORKER_NICE },
    clock: systemClock,
    metricsToken: env.METRICS_TOKEN,
    documents: { renderThreads: renderThreads(env.PDF_THREADS) },
    storage: {
      driver: env.STORAGE_DRIVER,
      dir: env.STORAGE_DIR,
      s3: {
        bucket: env.S3_BUCKET ?? '',
        endpoint: env.S3_ENDPOINT,
        region: env.S3_REGION,
        forcePathStyle: env.S3_FORCE_PATH_STYLE,
        credentials: env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } : undefined,
        prefix: env.S3_PREFIX,
      },
    },
    publicApiUrl: env.PUBLIC_API_URL.replace(/\/+$/, ''),
    payments: {
      returnOrigins: [new URL(env.PUBLIC_WEB_URL).origin, ...env.PAYMENT_RETURN_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean)],
      sandbox: {
        enabled: env.PAYMENTS_SANDBOX ?? env.NODE_ENV !== 'production',
        // Development only: the sandbox never runs in production (above).
        secret: env.PAYMENT_SANDBOX_SECRET ?? `whsec_${Buffer.from('development-only-sandbox-secret!').toString('base64')}`,
      },
      pendingTtlMin: env.PAYMENT_PENDING_TTL_MIN,
      autopayNoticeHours: env.AUTOPAY_NOTICE_HOURS,
      notificationToleranceS: env.PAYMENT_NOTIFICATION_TOLERANCE_S,
      penaltiesFirst: env.PAYMENT_PENALTIES_FIRST,
      cloudPaymentsApiUrl: env.CLOUDPAYMENTS_API_URL.replace(/\/+$/, ''),
      tbankApiUrl: env.TBANK_API_URL.replace(/\/+$/, ''),
      providerTimeoutMs: env.PAYMENT_PROVIDER_TIMEOUT_MS,
    },
    // Development only: production refuses to start without its own key (above).
    dataEncryptionKey: env.DATA_ENCRYPTION_KEY ? Buffer.from(env.DATA_ENCRYPTION_KEY, 'base64') : Buffer.from('development-only-data-key-32-byt'),
    webhooks: {
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      rotationHours: env.WEBHOOK_ROTATION_HOURS,
      disableAfterDays: env.WEBHOOK_DISABLE_AFTER_DAYS,
      retentionDays: env.WEBHOOK_RETENTION_DAYS,
      resolve: systemResolve,
    },
    tickets: {
      attachmentMaxBytes: env.TICKET_ATTACHMENT_MAX_BYTES,
      attachmentMaxFiles: env.TICKET_ATTACHMENT_MAX_FILES,
      reopenDays: env.TICKET_REOPEN_DAYS,
      tmpDir: env.UPLOAD_TMP_DIR ?? tmpdir(),
    },
  }
}
