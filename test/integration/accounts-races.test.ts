import { seedDemoData } from '../../src/db/seed.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, registration, supplierId } from '../support/auth.ts'
import { atOnce, whileLocked } from '../support/races.ts'
import { codeIn } from '../support/smtp.ts'

// Races repeated: one lost once in a while must fail a round, not flake now and then.
const ROUNDS = 50
const LIMIT = 3

let ctx: TestContext
let heat: string
let ivan: string
let userId: string
let operator: string
/** Accounts of the heat supplier held by Ivanov, beside the one he registered with. */
const spare: string[] = []

beforeAll(async () => {
  ctx = await buildTestApp({ MAX_LINKED_ACCOUNTS: String(LIMIT) })
  await seedDemoData(ctx.client.prisma)
  heat = await supplierId(ctx, 'sibteplo')
  const email = 'linker@example.test'
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration(heat, DEMO.ivanovHeat, email) })
  expect(res.statusCode).toBe(202)
  const mail = await ctx.client.prisma.mailOutbox.findFirstOrThrow({ where: { to: email, template: 'confirm_email' } })
  expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/confirm-email', payload: { token: codeIn(mail) } })).statusCode).toBe(204)
  ivan = (await login(ctx, email, STRONG_PASSWORD)).accessToken
  userId = (await ctx.client.prisma.user.findUniqueOrThrow({ where: { email } })).id
  for (let i = 0; i < 4; i++) spare.push(`54009000${String(i).padStart(2, '0')}`)
  await ctx.client.prisma.account.createMany({ data: spare.map((number) => ({ supplierId: heat, number, holderSurname: 'Иванов', address: 'г. Новосибирск', accessCode: 'R4CE5PAR' })) })
  await createStaff(ctx, 'operator', 'op@heat.test', 'operator passphrase heat 1', heat)
  operator = (await login(ctx, 'op@heat.test', 'operator passphrase heat 1')).accessToken
})
afterAll(() => ctx.close())

const link = (number: string) =>
  ctx.app.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(ivan), payload: { supplierId: heat, accountNumber: number, surname: 'Иванов', proof: number.startsWith('540090') ? 'R4CE5PAR' : DEMO.ivanovHeat.proof } })
const unlink = (accountId: string) => ctx.app.inject({ method: 'DELETE', url: `/v1/accounts/${accountId}`, headers: bearer(ivan) })
const accountId = async (number: string) => (await ctx.client.prisma.account.findFirstOrThrow({ where: { supplierId: heat, number } })).id

/** The links as rows and as the counter the limit is decided on: always the same number. */
async function links(): Promise<number> {
  const rows = await ctx.client.prisma.userAccount.count({ where: { userId } })
  const { linkedAccounts } = await ctx.client.prisma.user.findUniqueOrThrow({ where: { id: userId } })
  expect(linkedAccounts).toBe(rows)
  return rows
}

describe('linking under MAX_LINKED_ACCOUNTS', () => {
  it(`4 links at once with room for ${LIMIT - 1}, ${ROUNDS} rounds: never past the limit; unlinks at once keep the count`, async () => {
    const ids = await Promise.all(spare.map(accountId))
    for (let round = 0; round < ROUNDS; round++) {
      expect(await links()).toBe(1)
      const answers = await Promise.all(spare.map(link))
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 201, 422, 422])
      for (const refused of answers.filter((a) => a.statusCode === 422)) expect(refused.json().code).toBe('too_many_accounts')
      expect(await links()).toBe(LIMIT)

      // Unlinked at once, one of them twice: each link is removed once and counted down once.
      const linked = ids.filter((_, i) => answers[i]!.statusCode === 201)
      const removals = await Promise.all([...linked, linked[0]!].map(unlink))
      expect(removals.map((a) => a.statusCode).sort()).toEqual([204, 204, 404])
      expect(await links()).toBe(1)
    }
  })

  it(`one account linked ${LIMIT} times at once, ${ROUNDS} rounds: one link, the others account_already_linked`, async () => {
    const id = await accountId(spare[0]!)
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await atOnce(LIMIT, () => link(spare[0]!))
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, ...Array(LIMIT - 1).fill(409)])
      for (const refused of answers.filter((a) => a.statusCode === 409)) expect(refused.json().code).toBe('account_already_linked')
      expect(await links()).toBe(2)
      expect((await unlink(id)).statusCode).toBe(204)
    }
  })

  it('a link waiting for an account being closed is refused once the close commits', async () => {
    const number = '5400900099'
    const { id } = await ctx.client.prisma.account.create({ data: { supplierId: heat, number, holderSurname: 'Иванов', address: 'г. Новосибирск', accessCode: 'R4CE5PAR' } })
    // The close is held open (its row lock taken, not yet committed) while the link comes in.
    const { answer, blocked } = await whileLocked(
      ctx,
      (tx) => tx.query(`UPDATE account SET status = 'closed', "closedAt" = now() WHERE id = $1`, [id]),
      () => link(number),
    )
    expect(blocked).toBe(true)
    expect([answer.statusCode, answer.json().code]).toEqual([422, 'account_not_matched'])
    expect(await ctx.client.prisma.userAccount.count({ where: { accountId: id } })).toBe(0)
  })

  it(`link and close at once, ${ROUNDS} rounds: the link either came first or is refused`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const number = `54009100${String(round).padStart(2, '0')}`
      const { id } = await ctx.client.prisma.account.create({ data: { supplierId: heat, number, holderSurname: 'Иванов', address: 'г. Новосибирск', accessCode: 'R4CE5PAR' } })
      const close = () => ctx.app.inject({ method: 'POST', url: `/v1/admin/accounts/${id}/close`, headers: bearer(operator), payload: { reason: 'race' } })
      const [linked, closed] = await Promise.all([link(number), close()])
      expect(closed.statusCode).toBe(200)
      if (linked.statusCode === 201) {
        expect((await unlink(id)).statusCode).toBe(204)
      } else {
        expect([linked.statusCode, linked.json().code]).toEqual([422, 'account_not_matched'])
      }
      expect(await links()).toBe(1)
    }
  })

  it('the database bounds the counter: it cannot go below zero', async () => {
    await expect(ctx.client.prisma.user.update({ where: { id: userId }, data: { linkedAccounts: -1 } })).rejects.toThrow(/user_linkedAccounts_check/)
  })
})
