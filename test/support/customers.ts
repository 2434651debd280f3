import type { Clock } from '../../src/common/clock.ts'
import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, signUp } from './auth.ts'
import { startSmtpServer, type SmtpServer } from './smtp.ts'

/**
 * The demo register with two signed-up customers: Ivan (heat account 5400012345) and Anna (water
 * account 12-0012346), for the tests of what a customer reads about an account.
 */
export async function twoCustomers(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<{ ctx: TestContext; smtp: SmtpServer; ivan: string; anna: string; accountId: string; close: () => Promise<void> }> {
  const smtp = await startSmtpServer()
  const ctx = await buildTestApp({ SMTP_URL: smtp.url, ...options.env }, options)
  await seedDemoData(ctx.client.prisma)
  const ivan = (await signUp(ctx, smtp, 'ivan@example.test', DEMO.ivanovHeat)).accessToken
  const anna = (await signUp(ctx, smtp, 'anna@example.test', DEMO.semenovaWater)).accessToken
  const accountId = (await ctx.client.prisma.account.findFirstOrThrow({ where: { number: DEMO.ivanovHeat.number } })).id
  const close = async () => {
    await ctx.close()
    await smtp.close()
  }
  return { ctx, smtp, ivan, anna, accountId, close }
}
