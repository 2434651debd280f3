import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, bearer, createStaff, login, signUp, supplierId } from './auth.ts'
import { startSmtpServer } from './smtp.ts'

export type ImportKind = 'accounts' | 'meters' | 'charges' | 'payments'

/** A supplier's register import as its operator drives it: upload, run the merge, read the job and its rejections. */
export function importClient(ctx: TestContext, supplierId: string, operator: string) {
  return {
    upload(kind: ImportKind, body: string | Buffer, contentType: string, token = operator, query = '') {
      return ctx.app.inject({
        method: 'POST',
        url: `/v1/admin/suppliers/${supplierId}/imports/${kind}${query}`,
        headers: { ...bearer(token), 'content-type': contentType },
        payload: body,
      })
    },

    /** Expects the upload taken (202), runs the queued merge, and answers the job as the API shows it. */
    async finished(res: { statusCode: number; json(): { id: string } }) {
      expect(res.statusCode).toBe(202)
      await ctx.app.imports.settle()
      const job = await ctx.app.inject({ method: 'GET', url: `/v1/admin/imports/${res.json().id}`, headers: bearer(operator) })
      return job.json<Record<string, unknown> & { id: string }>()
    },

    async rejections(id: string) {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/admin/imports/${id}/rejections?limit=100`, headers: bearer(operator) })
      return res.json<{ items: { line: number; code: string; detail: string }[] }>().items
    },
  }
}

export type ImportClient = ReturnType<typeof importClient>

/**
 * What import tests start from: the demo data, an operator of the heat supplier (whose imports
 * `imports` drives), one of the water supplier, and Ivanov, a customer of heat, signed up.
 */
export async function importWorld(env: Record<string, string> = {}) {
  const smtp = await startSmtpServer()
  const ctx = await buildTestApp({ SMTP_URL: smtp.url, ...env })
  await seedDemoData(ctx.client.prisma)
  const heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@heat.test', 'operator passphrase heat 1', heat)
  await createStaff(ctx, 'operator', 'op@water.test', 'operator passphrase water 1', await supplierId(ctx, 'gorvodokanal'))
  const operator = (await login(ctx, 'op@heat.test', 'operator passphrase heat 1')).accessToken
  const waterOperator = (await login(ctx, 'op@water.test', 'operator passphrase water 1')).accessToken
  const customer = (await signUp(ctx, smtp, 'c@example.test', DEMO.ivanovHeat)).accessToken
  return {
    ctx,
    heat,
    operator,
    waterOperator,
    customer,
    imports: importClient(ctx, heat, operator),
    async close() {
      await ctx.close()
      await smtp.close()
    },
  }
}

export type ImportWorld = Awaited<ReturnType<typeof importWorld>>
