import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { requestBody } from './request-body.ts'

/**
 * A local stand-in for CloudPayments that speaks its protocol: `POST /orders/create` with HTTP
 * Basic (Public ID, API secret) answering `{Success, Model: {Id, Url}}`, and the notifications it
 * sends a merchant (Check, Pay, Fail, Refund): form-encoded, signed by `Content-HMAC` (base64
 * HMAC-SHA256 of the body under the API secret), answered `{"code":N}`.
 */
export interface FakeOrder {
  id: string
  amount: number
  invoiceId: string
  accountId: string
  description: string
  successRedirectUrl: string
}

export interface FakeCloudPayments {
  url: string
  orders: FakeOrder[]
  /** Answers orders/create with this HTTP status instead (500: the provider is down). */
  failOrders: number | null
  /** Where notifications go: our route (with ?event= appended per kind, as the dashboard is set up). */
  notifyTo(url: string): void
  /** Check, then (if accepted) Pay; the codes our API answered. */
  pay(order: FakeOrder, options?: { amount?: string; secret?: string; at?: string }): Promise<{ check: number; pay?: number; transactionId: string }>
  fail(order: FakeOrder, reason?: string): Promise<number>
  refund(order: FakeOrder, paymentTransactionId: string, amount: string): Promise<number>
  /** Charges of saved cards (tokens/charge), as asked. */
  tokenCharges: { token: string; amount: number; invoiceId: string; accountId: string; success: boolean }[]
  /** Cards whose charges are declined. */
  decliningTokens: Set<string>
  /** Sends one notification as given (for repeats and forgeries). */
  send(event: string, fields: Record<string, string>, options?: { secret?: string; header?: 'Content-HMAC' | 'X-Content-HMAC' | 'none' }): Promise<number>
  close(): Promise<void>
}

export async function startFakeCloudPayments(publicId: string, apiSecret: string): Promise<FakeCloudPayments> {
  let notifyUrl = ''
  let transactions = 900_000_000
  const orders: FakeOrder[] = []
  const paid = new Map<string, FakeOrder>()


  async function handle(request: IncomingMessage, response: ServerResponse) {
    const body = await requestBody(request)
    const reply = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(json))
    }
    const expected = `Basic ${Buffer.from(`${publicId}:${apiSecret}`).toString('base64')}`
    if (request.method === 'POST' && request.url === '/payments/refund') {
      if (request.headers.authorization !== expected) return reply(401, { Success: false, Message: 'Unauthorized' })
      const input = JSON.parse(body) as { TransactionId: number; Amount: number }
      const order = paid.get(String(input.TransactionId))
      if (!order) return reply(200, { Success: false, Message: 'Transaction not found' })
      // As CloudPayments does: the Refund notification, then the answer.
      const code = await fake.refund(order, String(input.TransactionId), input.Amount.toFixed(2))
      return reply(200, { Success: code === 0, Message: code === 0 ? null : `merchant answered ${code}` })
    }
    if (request.method === 'POST' && request.url === '/payments/tokens/charge') {
      if (request.headers.authorization !== expected) return reply(401, { Success: false, Message: 'Unauthorized' })
      const input = JSON.parse(body) as { Amount: number; Currency: string; AccountId: string; Token: string; InvoiceId: string; Description: string }
      if (!input.Token || !input.AccountId || typeof input.Amount !== 'number') return reply(200, { Success: false, Message: 'Amount, AccountId, Token are required' })
      const order: FakeOrder = { id: `t${fake.tokenCharges.length + 1}`, amount: input.Amount, invoiceId: input.InvoiceId, accountId: input.AccountId, description: input.Description, successRedirectUrl: '' }
      const success = !fake.decliningTokens.has(input.Token)
      fake.tokenCharges.push({ token: input.Token, amount: input.Amount, invoiceId: input.InvoiceId, accountId: input.AccountId, success })
      // As CloudPayments does: the notification (Pay, or Fail with the bank's reason), then the answer.
      if (!success) {
        const transactionId = String(++transactions)
        await send('fail', { ...paymentFields(order, transactionId, input.Amount.toFixed(2), '2026-12-10 06:00:00'), OperationType: 'Payment', Status: 'Declined', Reason: 'InsufficientFunds', ReasonCode: '5051' })
        return reply(200, { Success: false, Message: null, Model: { TransactionId: Number(transactionId), ReasonCode: 5051, Reason: 'InsufficientFunds', CardHolderMessage: 'Недостаточно средств на карте', Status: 'Declined' } })
      }
      const transactionId = String(++transactions)
      const code = await send('pay', { ...paymentFields(order, transactionId, input.Amount.toFixed(2), '2026-12-10 06:00:00'), OperationType: 'Payment', Status: 'Completed' })
      if (code === 0) paid.set(transactionId, order)
      return reply(200, { Success: true, Message: null, Model: { TransactionId: Number(transactionId), Status: 'Completed', Amount: input.Amount } })
    }
    if (request.method !== 'POST' || request.url !== '/orders/create') return reply(404, { Success: false, Message: 'not found' })
    if (request.headers.authorization !== expected) return reply(401, { Success: false, Message: 'Unauthorized' })
    if (fake.failOrders !== null) return reply(fake.failOrders, { Success: false, Message: 'down' })
    const input = JSON.parse(body) as { Amount: number; InvoiceId: string; AccountId: string; Description: string; SuccessRedirectUrl: string; Currency: string }
    if (typeof input.Amount !== 'number' || input.Currency !== 'RUB') return reply(200, { Success: false, Message: 'Amount must be a number' })
    const order: FakeOrder = {
      id: `f${orders.length + 1}K8LV6reGE9WBFn`,
      amount: input.Amount,
      invoiceId: input.InvoiceId,
      accountId: input.AccountId,
      description: input.Description,
      successRedirectUrl: input.SuccessRedirectUrl,
    }
    orders.push(order)
    reply(200, { Success: true, Message: null, Model: { Id: order.id, Number: orders.length, Amount: order.amount, Currency: 'RUB', Url: `${fake.url}/d/${order.id}` } })
  }
  const server = createServer((request, response) => void handle(request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  async function send(event: string, fields: Record<string, string>, options: { secret?: string; header?: 'Content-HMAC' | 'X-Content-HMAC' | 'none' } = {}) {
    const body = new URLSearchParams(fields).toString()
    const header = options.header ?? 'Content-HMAC'
    const signed = header === 'X-Content-HMAC' ? decodeURIComponent(body.replaceAll('+', ' ')) : body
    const hmac = createHmac('sha256', options.secret ?? apiSecret).update(signed).digest('base64')
    const response = await fetch(`${notifyUrl}?event=${event}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(header === 'none' ? {} : { [header]: hmac }) },
      body,
    })
    if (response.status !== 200) throw new Error(`${event}: HTTP ${response.status} ${await response.text()}`)
    return ((await response.json()) as { code: number }).code
  }

  const paymentFields = (order: FakeOrder, transactionId: string, amount: string, at: string) => ({
    TransactionId: transactionId,
    Amount: amount,
    Currency: 'RUB',
    PaymentAmount: amount,
    PaymentCurrency: 'RUB',
    DateTime: at,
    CardFirstSix: '424242',
    CardLastFour: '4242',
    CardType: 'Visa',
    CardExpDate: '12/30',
    // Every Pay carries the card's token, for charges without the customer.
    Token: `tk_${order.accountId.replace(/\W/g, '')}_4242`,
    InvoiceId: order.invoiceId,
    AccountId: order.accountId,
    Description: order.description,
    TestMode: '1',
  })

  const fake: FakeCloudPayments = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    orders,
    failOrders: null,
    tokenCharges: [],
    decliningTokens: new Set(),
    notifyTo(url) {
      notifyUrl = url
    },
    async pay(order, options = {}) {
      const transactionId = String(++transactions)
      const fields = { ...paymentFields(order, transactionId, options.amount ?? order.amount.toFixed(2), options.at ?? '2026-11-26 05:01:00'), OperationType: 'Payment' }
      const check = await send('check', { ...fields, Status: 'Authorized' }, { secret: options.secret })
      if (check !== 0) return { check, transactionId }
      const pay = await send('pay', { ...fields, Status: 'Completed' }, { secret: options.secret })
      if (pay === 0) paid.set(transactionId, order)
      return { check, pay, transactionId }
    },
    async fail(order, reason = 'Insufficient funds') {
      const transactionId = String(++transactions)
      return send('fail', { ...paymentFields(order, transactionId, order.amount.toFixed(2), '2026-11-26 05:00:30'), OperationType: 'Payment', Status: 'Declined', Reason: reason, ReasonCode: '5051' })
    },
    async refund(order, paymentTransactionId, amount) {
      const transactionId = String(++transactions)
      return send('refund', { TransactionId: transactionId, PaymentTransactionId: paymentTransactionId, Amount: amount, DateTime: '2026-11-26 06:00:00', OperationType: 'Refund', InvoiceId: order.invoiceId, AccountId: order.accountId })
    },
    send,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  return fake
}
