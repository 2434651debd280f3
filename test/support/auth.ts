import { createHmac } from 'node:crypto'
import { hashPassword } from '../../src/auth/password.ts'
import type { Role } from '../../src/generated/prisma/client.ts'
import type { TestContext } from '../helper.ts'
import { codeIn, type SmtpServer } from './smtp.ts'

export const STRONG_PASSWORD = 'тихий огонёк над рекою 42'

/** The demo accounts registration tests use (seeded by seedDemoData). */
export const DEMO = {
  ivanovHeat: { code: 'sibteplo', number: '5400012345', surname: 'Иванов', proof: 'K7M2QX9P' },
  semenovaWater: { code: 'gorvodokanal', number: '12-0012346', surname: 'Семёнова', proof: 'S8GK3ZPY' },
  petrovWater: { code: 'gorvodokanal', number: '11-0007785', surname: 'Петров', proof: 'P9RD4MXT' },
  kuznetsovaPower: { code: 'energosbyt', number: '770100000123', surname: 'Кузнецова', proof: 'D4XV9TMC' },
} as const

/** The access code printed on an account's receipts (demo accounts have fixed ones, others a random one). */
export async function accessCodeOf(ctx: TestContext, number: string): Promise<string> {
  return (await ctx.client.prisma.account.findFirstOrThrow({ where: { number }, select: { accessCode: true } })).accessCode
}

export async function supplierId(ctx: TestContext, code: string): Promise<string> {
  return (await ctx.client.prisma.supplier.findUniqueOrThrow({ where: { code } })).id
}

export function registration(supplier: string, account: { number: string; surname: string; proof: string }, email: string, extra: Record<string, unknown> = {}) {
  return {
    supplierId: supplier,
    accountNumber: account.number,
    surname: account.surname,
    proof: account.proof,
    email,
    password: STRONG_PASSWORD,
    consent: { personalData: true, textVersion: '2026-01' },
    ...extra,
  }
}

/** Registers, confirms the email from the received mail, and logs in. */
export async function signUp(ctx: TestContext, smtp: SmtpServer, email: string, account: { code: string; number: string; surname: string; proof: string } = DEMO.ivanovHeat) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration(await supplierId(ctx, account.code), account, email) })
  if (res.statusCode !== 202) throw new Error(`register: ${res.statusCode} ${res.body}`)
  await ctx.app.mail.drain()
  const token = codeIn(smtp.to(email).at(-1))
  const confirmed = await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email', payload: { token } })
  if (confirmed.statusCode !== 204) throw new Error(`confirm: ${confirmed.statusCode} ${confirmed.body}`)
  return login(ctx, email, STRONG_PASSWORD)
}

export async function login(ctx: TestContext, loginName: string, password: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: loginName, password, ...extra }, headers })
  if (res.statusCode !== 200) throw new Error(`login ${loginName}: ${res.statusCode} ${res.body}`)
  return res.json<{ accessToken: string; refreshToken: string; mustChangePassword: boolean }>()
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** A staff user straight in the database (admins come from the CLI; operators from admins). */
export async function createStaff(ctx: TestContext, role: Role, email: string, password: string, supplier: string | null = null) {
  const config = ctx.app.config.auth
  return ctx.client.prisma.user.create({
    data: {
      role,
      email,
      emailConfirmedAt: new Date(),
      surname: role,
      supplierId: supplier,
      passwordHash: await hashPassword(password, config.passwordPepper, config.bcryptCost),
    },
  })
}

/** A JWT made by hand, to present forged, expired, foreign-key and `alg: none` tokens. */
export function craftJwt(payload: Record<string, unknown>, secret: string | null, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const body = `${encode(header)}.${encode(payload)}`
  const signature = secret === null ? '' : createHmac('sha256', secret).update(body).digest('base64url')
  return `${body}.${signature}`
}
