import type { TestContext } from '../helper.ts'
import { DEMO, STRONG_PASSWORD, bearer, createStaff, login, registration, signUp, supplierId } from '../support/auth.ts'
import { solveCaptcha } from '../support/captcha.ts'
import { twoCustomers } from '../support/customers.ts'
import type { SmtpServer } from '../support/smtp.ts'

// The attack of the issue: sequential account numbers and a common surname, tried by someone who
// never held the receipts. The proof now needs a fact from the receipt, and misses are counted.
let ctx: TestContext
let smtp: SmtpServer
let close: () => Promise<void>
let ivan: string
let anna: string
let heat: string
let water: string

beforeAll(async () => {
  ;({ ctx, smtp, ivan, anna, close } = await twoCustomers({
    env: { LINK_CAPTCHA_AFTER_FAILURES: '3', LINK_PAUSE_AFTER_FAILURES: '6', CAPTCHA_WORK: '300' },
  }))
  heat = await supplierId(ctx, 'sibteplo')
  water = await supplierId(ctx, 'gorvodokanal')
})
afterAll(() => close())

let nextAddress = 1
/** Each scenario comes from its own address, so the per-address count of one does not leak into the next. */
const address = () => `198.51.100.${nextAddress++}`

const link = (token: string, payload: Record<string, unknown>, remoteAddress: string) =>
  ctx.app.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(token), payload, remoteAddress })

describe('linking needs the supplier’s second fact', () => {
  it('number and surname alone no longer link; a wrong access code is answered like an unknown account', async () => {
    const from = address()
    const noProof = await link(anna, { supplierId: heat, accountNumber: '5400012346', surname: 'Семёнова' }, from)
    expect(noProof.json()).toMatchObject({ status: 400, errors: [{ pointer: '#/proof' }] })
    const wrongCode = await link(anna, { supplierId: heat, accountNumber: '5400012346', surname: 'Семёнова', proof: 'AAAAAAAA' }, from)
    const unknown = await link(anna, { supplierId: heat, accountNumber: '5400099999', surname: 'Семёнова', proof: 'AAAAAAAA' }, from)
    expect(wrongCode.json()).toMatchObject({ status: 422, code: 'account_not_matched' })
    expect(wrongCode.json().detail).toBe(unknown.json().detail)
    // The code as printed, in any case, with spaces or a dash.
    const right = await link(anna, { supplierId: heat, accountNumber: '5400012346', surname: 'Семенова', proof: 'h3tz-8wra' }, from)
    expect(right.statusCode).toBe(201)
  })

  it('the supplier may ask for the premises number instead', async () => {
    await createStaff(ctx, 'admin', 'root@abonent.test', STRONG_PASSWORD)
    const admin = (await login(ctx, 'root@abonent.test', STRONG_PASSWORD)).accessToken
    const patch = await ctx.app.inject({ method: 'PATCH', url: `/v1/admin/suppliers/${water}`, headers: bearer(admin), payload: { linkProof: 'premises' } })
    expect(patch.json().linkProof).toBe('premises')
    const listed = (await ctx.app.inject({ method: 'GET', url: '/v1/suppliers' })).json().items.find((s: { id: string }) => s.id === water)
    expect(listed.linkProof).toMatchObject({ kind: 'premises', label: 'Номер квартиры (помещения)' })
    const from = address()
    // Ivanov's water account is at "ул. Ленина, д. 10, кв. 5".
    expect((await link(ivan, { supplierId: water, accountNumber: '12-0012345', surname: 'Иванов', proof: '6' }, from)).json().code).toBe('account_not_matched')
    expect((await link(ivan, { supplierId: water, accountNumber: '12-0012345', surname: 'Иванов', proof: 'W2HF7BQN' }, from)).json().code).toBe('account_not_matched')
    expect((await link(ivan, { supplierId: water, accountNumber: '12-0012345', surname: 'Иванов', proof: 'кв. 5' }, from)).statusCode).toBe(201)
    await ctx.app.inject({ method: 'PATCH', url: `/v1/admin/suppliers/${water}`, headers: bearer(admin), payload: { linkProof: 'access_code' } })
  })
})

describe('failed checks are counted per person, per account number and per address', () => {
  it('a scanner meets a captcha after 3 misses and a pause after 6, even with captchas solved', async () => {
    const from = address()
    const scan = (i: number, captchaToken?: string) =>
      link(anna, { supplierId: heat, accountNumber: `54000200${String(10 + i)}`, surname: 'Иванов', proof: 'AAAAAAAA', ...(captchaToken ? { captchaToken } : {}) }, from)
    for (let i = 0; i < 3; i++) expect((await scan(i)).json().code).toBe('account_not_matched')
    expect((await scan(3)).json().code).toBe('captcha_required')
    expect((await scan(3, 'not a solution')).json().code).toBe('captcha_invalid')
    for (let i = 3; i < 6; i++) expect((await scan(i, await solveCaptcha(ctx))).json().code).toBe('account_not_matched')
    const paused = await scan(6, await solveCaptcha(ctx))
    expect(paused.statusCode).toBe(429)
    expect(paused.json().detail).toContain('за 1 день')
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(80_000)
    // Paused means paused: even a right proof from this person waits.
    const right = await link(anna, { supplierId: water, accountNumber: '12-0012345', surname: 'Иванов', proof: 'W2HF7BQN' }, address())
    expect(right.statusCode).toBe(429)
  })

  it('misses on one account cost its real holder a captcha, never a pause', async () => {
    const attacker = await signUp(ctx, smtp, 'mallory@example.test', DEMO.petrovWater)
    // Anna's one miss on this account (above) counts too: the captcha comes at the third try.
    for (let i = 0; i < 8; i++) {
      const answer = await link(attacker.accessToken, { supplierId: heat, accountNumber: '5400012346', surname: 'Семёнова', proof: `GUESS00${i}`, ...(i >= 2 ? { captchaToken: await solveCaptcha(ctx) } : {}) }, address())
      expect([i, answer.statusCode]).toEqual([i, i < 6 ? 422 : 429])
    }
    // The holder's sister, from her own address: the account's count asks her for a captcha, and lets her in with one.
    const sister = await signUp(ctx, smtp, 'olga@example.test', DEMO.kuznetsovaPower)
    const claim = { supplierId: heat, accountNumber: '5400012346', surname: 'Семёнова', proof: 'H3TZ8WRA' }
    expect((await link(sister.accessToken, claim, address())).json().code).toBe('captcha_required')
    expect((await link(sister.accessToken, { ...claim, captchaToken: await solveCaptcha(ctx) }, address())).statusCode).toBe(201)
  })

  it('many people from one address add up: registrations and links share the address count', async () => {
    const from = address()
    for (let i = 0; i < 3; i++) {
      const answer = await ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: registration(heat, { number: `54000120${30 + i}`, surname: 'Смирнов', proof: 'AAAAAAAA' }, `bot${i}@example.test`),
        remoteAddress: from,
      })
      expect(answer.json().code).toBe('account_not_matched')
    }
    const next = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration(heat, { ...DEMO.ivanovHeat }, 'bot9@example.test'), remoteAddress: from })
    expect(next.json().code).toBe('captcha_required')
  })
})

describe('the people already linked', () => {
  it('get a mail when someone new links the account, and see who is linked', async () => {
    const before = smtp.to('ivan@example.test').length
    const petr = await signUp(ctx, smtp, 'petr@example.test', DEMO.petrovWater)
    const accountId = (await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '5400012345' } })).id
    const linked = await link(petr.accessToken, { supplierId: heat, accountNumber: '5400012345', surname: 'Иванов', proof: 'K7M2QX9P' }, address())
    expect(linked.statusCode).toBe(201)
    await ctx.app.mail.drain()
    const notices = smtp.to('ivan@example.test').slice(before)
    expect(notices.map((m) => m.subject)).toEqual(['К вашему лицевому счёту подключился ещё один человек'])
    expect(notices[0]!.text).toContain('5400012345')
    expect(notices[0]!.text).toContain('подключился Петров.')
    // Registering with an account tells its holders too: Mallory registered with Petrov's water account first.
    expect(smtp.to('mallory@example.test').map((m) => m.subject)).toContain('К вашему лицевому счёту подключился ещё один человек')
    // The newcomer gets no such mail about themselves.
    expect(smtp.to('petr@example.test').some((m) => m.subject.startsWith('К вашему лицевому счёту'))).toBe(false)

    const holders = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/holders`, headers: bearer(ivan) })
    expect(holders.json().items).toEqual([
      { name: 'Иванов', linkedAt: expect.any(String), you: true },
      { name: 'Петров', linkedAt: expect.any(String), you: false },
    ])
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/holders`, headers: bearer(anna) })).statusCode).toBe(404)
  })

  it('the supplier unlinks a stranger and issues a new access code; both are audited', async () => {
    await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
    await createStaff(ctx, 'operator', 'op@water.test', STRONG_PASSWORD, water)
    const operator = (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken
    const stranger = (await login(ctx, 'op@water.test', STRONG_PASSWORD)).accessToken
    const account = await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '5400012345' } })
    const petr = await ctx.client.prisma.user.findUniqueOrThrow({ where: { email: 'petr@example.test' } })
    const call = (method: 'POST' | 'DELETE', url: string, token: string) => ctx.app.inject({ method, url, headers: bearer(token) })

    expect((await call('DELETE', `/v1/admin/accounts/${account.id}/holders/${petr.id}`, stranger)).statusCode).toBe(404)
    expect((await call('DELETE', `/v1/admin/accounts/${account.id}/holders/${petr.id}`, operator)).statusCode).toBe(204)
    expect((await call('DELETE', `/v1/admin/accounts/${account.id}/holders/${petr.id}`, operator)).json().code).toBe('holder_not_found')
    const holders = await ctx.app.inject({ method: 'GET', url: `/v1/accounts/${account.id}/holders`, headers: bearer(ivan) })
    expect(holders.json().items.map((h: { name: string }) => h.name)).toEqual(['Иванов'])

    const renewed = await call('POST', `/v1/admin/accounts/${account.id}/access-code`, operator)
    expect(renewed.json().accessCode).toMatch(/^[A-HJKMNP-Z2-9]{8}$/)
    expect(renewed.json().accessCode).not.toBe('K7M2QX9P')
    const petrToken = (await login(ctx, 'petr@example.test', STRONG_PASSWORD)).accessToken
    const claim = { supplierId: heat, accountNumber: '5400012345', surname: 'Иванов' }
    expect((await link(petrToken, { ...claim, proof: 'K7M2QX9P' }, address())).json().code).toBe('account_not_matched')
    expect((await link(petrToken, { ...claim, proof: renewed.json().accessCode }, address())).statusCode).toBe(201)

    const audit = await ctx.client.prisma.auditLog.findMany({ where: { entityId: account.id, action: { in: ['unlink_holder', 'renew_access_code'] } } })
    expect(audit.map((a) => a.action).sort()).toEqual(['renew_access_code', 'unlink_holder'])
    expect(JSON.stringify(audit)).not.toContain(renewed.json().accessCode)
  })
})
