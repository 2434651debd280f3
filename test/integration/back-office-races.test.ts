import { seedDemoData } from '../../src/db/seed.ts'
import { validCorrespondentAccount, validSettlementAccount } from '../../src/suppliers/requisites.ts'
import { buildTestApp, type TestContext } from '../helper.ts'
import { bearer, createStaff, login, registration, supplierId } from '../support/auth.ts'
import { atOnce, whileLocked } from '../support/races.ts'

// Staff edits racing each other, fired together and repeated: a race lost once in a while must
// fail a round, not flake now and then.
const ROUNDS = 50
const AT_ONCE = 4

let ctx: TestContext
let heat: string
let operator: string
let admin: string

beforeAll(async () => {
  ctx = await buildTestApp()
  await seedDemoData(ctx.client.prisma)
  heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@heat.test', 'operator passphrase heat 1', heat)
  await createStaff(ctx, 'admin', 'root@example.test', 'administrator passphrase 2026')
  operator = (await login(ctx, 'op@heat.test', 'operator passphrase heat 1')).accessToken
  admin = (await login(ctx, 'root@example.test', 'administrator passphrase 2026')).accessToken
})
afterAll(() => ctx.close())

const call = (method: 'POST' | 'PATCH', url: string, payload: object, token = operator) =>
  ctx.app.inject({ method, url, headers: bearer(token), payload })
const statuses = (answers: { statusCode: number }[]) => answers.map((a) => a.statusCode).sort()
const codesOf = (answers: { statusCode: number; json: <T>() => T }[], status: number) =>
  answers.filter((a) => a.statusCode === status).map((a) => a.json<{ code: string }>().code)

let serial = 0
async function newAccount(): Promise<string> {
  serial++
  const { id } = await ctx.client.prisma.account.create({
    data: { supplierId: heat, number: `54008${String(serial).padStart(5, '0')}`, holderSurname: 'Гонкина', address: 'г. Новосибирск', services: ['heat', 'hot_water'] },
  })
  return id
}

describe('one account, one meter: create, correct, close, replace at once', () => {
  it(`one number created ${AT_ONCE} times at once, ${ROUNDS} rounds: one account, the rest 409`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const number = `54007${String(round).padStart(5, '0')}`
      const answers = await atOnce(AT_ONCE, () =>
        call('POST', `/v1/admin/suppliers/${heat}/accounts`, { number, address: 'г. Новосибирск', holderSurname: 'Гонкина', services: ['heat'] }),
      )
      expect(statuses(answers)).toEqual([201, ...Array(AT_ONCE - 1).fill(409)])
      expect(codesOf(answers, 409)).toEqual(Array(AT_ONCE - 1).fill('already_exists'))
      expect(await ctx.client.prisma.account.count({ where: { supplierId: heat, number } })).toBe(1)
    }
  })

  it(`one meter added ${AT_ONCE} times at once, ${ROUNDS} rounds: one meter, the rest 409`, async () => {
    const accountId = await newAccount()
    for (let round = 0; round < ROUNDS; round++) {
      const serialNumber = `ADD-${round}`
      const answers = await atOnce(AT_ONCE, () => call('POST', `/v1/admin/accounts/${accountId}/meters`, { service: 'hot_water', serialNumber }))
      expect(statuses(answers)).toEqual([201, ...Array(AT_ONCE - 1).fill(409)])
      expect(await ctx.client.prisma.meter.count({ where: { accountId, serialNumber } })).toBe(1)
    }
  })

  it(`one meter replaced ${AT_ONCE} times at once, ${ROUNDS} rounds: one successor, no stray meters`, async () => {
    const accountId = await newAccount()
    let { id: meterId } = await ctx.client.prisma.meter.create({ data: { accountId, service: 'hot_water', serialNumber: 'REP-start' } })
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await atOnce(AT_ONCE, (i) => call('POST', `/v1/admin/meters/${meterId}/replace`, { serialNumber: `REP-${round}-${i}`, installedAt: '2026-11-20' }))
      expect(statuses(answers)).toEqual([201, ...Array(AT_ONCE - 1).fill(409)])
      expect(codesOf(answers, 409)).toEqual(Array(AT_ONCE - 1).fill('meter_not_active'))
      const active = await ctx.client.prisma.meter.findMany({ where: { accountId, status: 'active' } })
      expect(active).toHaveLength(1)
      expect((await ctx.client.prisma.meter.findUniqueOrThrow({ where: { id: meterId } })).replacedById).toBe(active[0]!.id)
      expect(await ctx.client.prisma.meter.count({ where: { accountId } })).toBe(round + 2)
      meterId = active[0]!.id
    }
  })

  it(`one account closed ${AT_ONCE} times at once, ${ROUNDS} rounds: closed once`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const accountId = await newAccount()
      const answers = await atOnce(AT_ONCE, () => call('POST', `/v1/admin/accounts/${accountId}/close`, { reason: 'race' }))
      expect(statuses(answers)).toEqual([200, ...Array(AT_ONCE - 1).fill(409)])
      expect(await ctx.client.prisma.auditLog.count({ where: { entityId: accountId, action: 'close' } })).toBe(1)
    }
  })

  it(`three corrections of one account at once, ${ROUNDS} rounds: none is lost, each audited against the one before`, async () => {
    const accountId = await newAccount()
    const seen = new Set<string>()
    for (let round = 0; round < ROUNDS; round++) {
      // Each one a real change (never the value already there), so that every state differs.
      const patches = [{ address: `г. Новосибирск, д. ${round}` }, { residentsCount: (round % 9) + 2 }, { holderGivenNames: `Вера ${round}` }]
      const answers = await Promise.all(patches.map((patch) => call('PATCH', `/v1/admin/accounts/${accountId}`, patch)))
      expect(statuses(answers)).toEqual([200, 200, 200])
      expect(await ctx.client.prisma.account.findUniqueOrThrow({ where: { id: accountId } })).toMatchObject(Object.assign({}, ...patches))
      // The round's entries chain up: each "before" is the state its change was made to, which
      // is the previous entry's "after" (all but the first).
      const entries = (await ctx.client.prisma.auditLog.findMany({ where: { entityId: accountId, action: 'update' } })).filter((e) => !seen.has(e.id))
      expect(entries).toHaveLength(3)
      for (const entry of entries) seen.add(entry.id)
      const befores = entries.map((e) => JSON.stringify(e.before))
      const afters = entries.map((e) => JSON.stringify(e.after))
      expect(befores.filter((before) => afters.includes(before))).toHaveLength(2)
    }
  })

  it(`two corrections of one meter at once, ${ROUNDS} rounds: neither is lost`, async () => {
    const accountId = await newAccount()
    const { id: meterId } = await ctx.client.prisma.meter.create({ data: { accountId, service: 'hot_water', serialNumber: 'FIX-1' } })
    for (let round = 0; round < ROUNDS; round++) {
      const zones = (round % 3) + 1
      const verificationDueAt = `${2030 + (round % 10)}-06-30`
      const answers = await Promise.all([call('PATCH', `/v1/admin/meters/${meterId}`, { zones }), call('PATCH', `/v1/admin/meters/${meterId}`, { verificationDueAt })])
      expect(statuses(answers)).toEqual([200, 200])
      const meter = await ctx.client.prisma.meter.findUniqueOrThrow({ where: { id: meterId } })
      expect([meter.zones, meter.verificationDueAt?.toISOString().slice(0, 10)]).toEqual([zones, verificationDueAt])
    }
  })

  describe('an edit waiting for an account being closed is refused once the close commits', () => {
    const closing = (id: string) => (tx: { query: (sql: string, values: unknown[]) => Promise<unknown> }) =>
      tx.query(`UPDATE account SET status = 'closed', "closedAt" = now() WHERE id = $1`, [id])

    it('a correction', async () => {
      const id = await newAccount()
      const { answer, blocked } = await whileLocked(ctx, closing(id), () => call('PATCH', `/v1/admin/accounts/${id}`, { residentsCount: 4 }))
      expect(blocked).toBe(true)
      expect([answer.statusCode, answer.json().code]).toEqual([422, 'account_closed'])
      expect((await ctx.client.prisma.account.findUniqueOrThrow({ where: { id } })).residentsCount).toBe(1)
    })

    it('a new meter', async () => {
      const id = await newAccount()
      const { answer, blocked } = await whileLocked(ctx, closing(id), () => call('POST', `/v1/admin/accounts/${id}/meters`, { service: 'hot_water', serialNumber: 'LATE-1' }))
      expect(blocked).toBe(true)
      expect([answer.statusCode, answer.json().code]).toEqual([422, 'account_closed'])
      expect(await ctx.client.prisma.meter.count({ where: { accountId: id } })).toBe(0)
    })

    it('a registration with the account', async () => {
      const id = await newAccount()
      const { number, accessCode: proof } = await ctx.client.prisma.account.findUniqueOrThrow({ where: { id } })
      const email = `late-${number}@example.test`
      const { answer, blocked } = await whileLocked(ctx, closing(id), () =>
        ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration(heat, { number, surname: 'Гонкина', proof }, email) }),
      )
      expect(blocked).toBe(true)
      expect([answer.statusCode, answer.json().code]).toEqual([422, 'account_not_matched'])
      expect(await ctx.client.prisma.user.count({ where: { email } })).toBe(0)
      expect(await ctx.client.prisma.userAccount.count({ where: { accountId: id } })).toBe(0)
    })

    it('a meter correction and a meter replacement', async () => {
      const id = await newAccount()
      const { id: meterId } = await ctx.client.prisma.meter.create({ data: { accountId: id, service: 'hot_water', serialNumber: 'OLD-1' } })
      const corrected = await whileLocked(ctx, closing(id), () => call('PATCH', `/v1/admin/meters/${meterId}`, { zones: 2 }))
      expect(corrected.blocked).toBe(true)
      expect([corrected.answer.statusCode, corrected.answer.json().code]).toEqual([422, 'account_closed'])
      const replaced = await call('POST', `/v1/admin/meters/${meterId}/replace`, { serialNumber: 'NEW-1', installedAt: '2026-11-01' })
      expect([replaced.statusCode, replaced.json().code]).toEqual([422, 'account_closed'])
      const meters = await ctx.client.prisma.meter.findMany({ where: { accountId: id } })
      expect(meters.map((m) => [m.serialNumber, m.status, m.zones])).toEqual([['OLD-1', 'active', 1]])
    })
  })
})

describe('supplier settings edited at once', () => {
  const bik1 = '044525225'
  // Another bank whose BIK ends in the same digits: the settlement account fits both.
  const bik2 = '044030225'
  const settlementAccount = '40702810538000000003'
  /** Correspondent accounts of the form 30101810.........225 that `fits` accepts. */
  const correspondent = (fits: (account: string) => boolean) => {
    for (let i = 0; ; i++) {
      const account = `30101810${String(i).padStart(9, '0')}225`
      if (fits(account)) return account
    }
  }
  const ca1 = correspondent((a) => validCorrespondentAccount(a, bik1))
  const ca2 = correspondent((a) => validCorrespondentAccount(a, bik2))
  const ca3 = correspondent((a) => a !== ca1 && validCorrespondentAccount(a, bik1) && !validCorrespondentAccount(a, bik2))
  let supplier: string

  beforeAll(async () => {
    expect(validSettlementAccount(settlementAccount, bik1) && validSettlementAccount(settlementAccount, bik2)).toBe(true)
    const res = await call(
      'POST',
      '/v1/admin/suppliers',
      {
        code: 'race-supplier',
        name: 'Общество «Гонка»',
        shortName: 'ООО «Гонка»',
        inn: '7707083893',
        kpp: '770701001',
        bankName: 'Банк',
        bik: bik1,
        settlementAccount,
        correspondentAccount: ca1,
        services: ['gas'],
        accountNumberFormat: { pattern: '^\\d{8}$', example: '10000001', shortForm: null },
        readingWindow: { startDay: 15, endDay: 25 },
        paymentDueDay: 15,
        timeZone: 'Europe/Moscow',
      },
      admin,
    )
    expect(res.statusCode).toBe(201)
    supplier = res.json().id
  })

  it(`a new bank and a new correspondent account at once, ${ROUNDS} rounds: each checked against the other, never stored mismatched`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await ctx.client.prisma.supplier.update({ where: { id: supplier }, data: { bik: bik1, correspondentAccount: ca1 } })
      const [bank, account] = await Promise.all([
        call('PATCH', `/v1/admin/suppliers/${supplier}`, { bik: bik2, correspondentAccount: ca2 }, admin),
        call('PATCH', `/v1/admin/suppliers/${supplier}`, { correspondentAccount: ca3 }, admin),
      ])
      expect(bank.statusCode).toBe(200)
      // Before the new bank: fine, then replaced by it. After it: checked against it, refused.
      if (account.statusCode !== 200) expect([account.statusCode, account.json().code]).toEqual([422, 'supplier_settings_invalid'])
      const stored = await ctx.client.prisma.supplier.findUniqueOrThrow({ where: { id: supplier } })
      expect([stored.bik, stored.correspondentAccount]).toEqual([bik2, ca2])
    }
  })

  it('the database refuses requisites that do not fit the BIK (the backstop behind the lock)', async () => {
    await expect(ctx.client.prisma.supplier.update({ where: { id: supplier }, data: { bik: bik2, correspondentAccount: ca3 } })).rejects.toThrow(
      /supplier_correspondentAccount_check/,
    )
    await expect(ctx.client.prisma.supplier.update({ where: { id: supplier }, data: { settlementAccount: '40702810538000000004' } })).rejects.toThrow(
      /supplier_settlementAccount_check/,
    )
    await expect(ctx.client.prisma.supplier.update({ where: { id: supplier }, data: { readingWindowStartDay: 26, readingWindowEndDay: 25 } })).rejects.toThrow(
      /supplier_readingWindow_check/,
    )
  })

  it('the database computes the control key as the application does', async () => {
    const prefixes: string[] = []
    const accounts: string[] = []
    for (let n = 0; n < 30; n++) {
      const prefix = String((n * 397) % 1000).padStart(3, '0')
      const base = String(40702810000000000000n + BigInt(n) * 7919000013n).slice(0, 20)
      // Every digit at the key position: exactly one of the ten is valid.
      for (let digit = 0; digit < 10; digit++) {
        prefixes.push(prefix)
        accounts.push(`${base.slice(0, 8)}${digit}${base.slice(9)}`)
      }
    }
    const rows = await ctx.client.prisma.$queryRaw<{ ok: boolean }[]>`
      SELECT bank_account_key_ok(p, a) AS ok FROM unnest(${prefixes}::text[], ${accounts}::text[]) WITH ORDINALITY AS t(p, a, n) ORDER BY n`
    expect(rows.map((row) => row.ok)).toEqual(accounts.map((account, i) => validSettlementAccount(account, `040000${prefixes[i]}`)))
    expect(rows.filter((row) => row.ok)).toHaveLength(30)
  })
})
