import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tbankToken } from '../../src/payments/providers/tbank-token.ts'
import { requestBody } from './request-body.ts'

/**
 * A local stand-in for T-Bank's acquiring API v2: `POST /Init` checks the Token and answers
 * `{Success, ErrorCode: "0", Status: "NEW", PaymentId, PaymentURL}`; `notify` sends the
 * notifications T-Bank sends (JSON, Token-signed) to the NotificationURL of the payment and
 * returns what we answered (T-Bank wants exactly `OK`).
 */
export interface FakeTbankPayment {
  paymentId: number
  orderId: string
  amount: number
  notificationUrl: string
  successUrl: string
  data: Record<string, unknown>
  /** Opened with Recurrent=Y: CONFIRMED saves the card and carries its RebillId. */
  customerKey: string | null
  rebillId: string | null
}

export async function startFakeTbank(terminalKey: string, password: string) {
  const payments: FakeTbankPayment[] = []
  const refunded = new Map<number, number>()
  let nextId = 4_000_000_000
  let notifyVia: string | null = null
  let nextRebill = 7_000_000_000
  /** Saved cards by RebillId; those marked declining refuse every charge. */
  const cards = new Map<string, { customerKey: string; declines: boolean }>()
  const charges: { paymentId: number; rebillId: string; amount: number; status: string }[] = []


  async function handle(request: IncomingMessage, response: ServerResponse) {
    const body = JSON.parse(await requestBody(request)) as Record<string, unknown>
    const reply = (json: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify(json))
    }
    if (request.url !== '/Init' && request.url !== '/Cancel' && request.url !== '/Charge') return reply({ Success: false, ErrorCode: '9999', Message: 'unknown method' })
    if (body.TerminalKey !== terminalKey) return reply({ Success: false, ErrorCode: '202', Message: 'Терминал не найден' })
    if (body.Token !== tbankToken(body, password)) return reply({ Success: false, ErrorCode: '204', Message: 'Неверный токен' })
    if (request.url === '/Charge') {
      const payment = payments.find((p) => String(p.paymentId) === String(body.PaymentId))
      if (!payment) return reply({ Success: false, ErrorCode: '7', Message: 'Платёж не найден' })
      const card = cards.get(String(body.RebillId))
      if (!card) return reply({ Success: false, ErrorCode: '8', Message: 'Неверный RebillId' })
      const status = card.declines ? 'REJECTED' : 'CONFIRMED'
      charges.push({ paymentId: payment.paymentId, rebillId: String(body.RebillId), amount: payment.amount, status })
      // As T-Bank does: the notification, then the answer.
      await fake.notify(payment, status)
      return card.declines
        ? reply({ Success: false, ErrorCode: '1051', Message: 'Недостаточно средств', Status: 'REJECTED', PaymentId: String(payment.paymentId) })
        : reply({ Success: true, ErrorCode: '0', TerminalKey: terminalKey, Status: 'CONFIRMED', PaymentId: String(payment.paymentId), OrderId: payment.orderId, Amount: payment.amount })
    }
    if (request.url === '/Cancel') {
      const payment = payments.find((p) => String(p.paymentId) === String(body.PaymentId))
      if (!payment) return reply({ Success: false, ErrorCode: '7', Message: 'Платёж не найден' })
      const amount = Number(body.Amount)
      const total = (refunded.get(payment.paymentId) ?? 0) + amount
      refunded.set(payment.paymentId, total)
      const status = total >= payment.amount ? 'REFUNDED' : 'PARTIAL_REFUNDED'
      // As T-Bank does: the notification, then the answer.
      await fake.notify(payment, status, { amount })
      return reply({ Success: true, ErrorCode: '0', TerminalKey: terminalKey, Status: status, PaymentId: String(payment.paymentId), OriginalAmount: payment.amount, NewAmount: payment.amount - total })
    }
    const payment: FakeTbankPayment = {
      paymentId: ++nextId,
      orderId: String(body.OrderId),
      amount: Number(body.Amount),
      notificationUrl: String(body.NotificationURL),
      successUrl: String(body.SuccessURL),
      data: body.DATA as Record<string, unknown>,
      customerKey: body.Recurrent === 'Y' ? String(body.CustomerKey) : null,
      rebillId: null,
    }
    payments.push(payment)
    reply({ Success: true, ErrorCode: '0', TerminalKey: terminalKey, Status: 'NEW', PaymentId: String(payment.paymentId), OrderId: payment.orderId, Amount: payment.amount, PaymentURL: `https://securepay.example/new/${payment.paymentId}` })
  }

  const server = createServer((request, response) => void handle(request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  const fake = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    payments,
    charges,
    /** Makes every later charge of this saved card decline. */
    declineCharges(rebillId: string) {
      cards.get(rebillId)!.declines = true
    },
    /** Sends notifications here instead of each payment's NotificationURL (our test server's address). */
    notifyTo(url: string) {
      notifyVia = url
    },
    /** Sends a notification about a payment: status, amount (kopecks), other fields; signed unless told otherwise. */
    async notify(payment: FakeTbankPayment, status: string, options: { amount?: number; to?: string; password?: string; extra?: Record<string, unknown> } = {}) {
      const body: Record<string, unknown> = {
        TerminalKey: terminalKey,
        OrderId: payment.orderId,
        Success: !['REJECTED', 'AUTH_FAIL'].includes(status),
        Status: status,
        PaymentId: payment.paymentId,
        ErrorCode: status === 'REJECTED' ? '1051' : '0',
        Amount: options.amount ?? payment.amount,
        CardId: 12345678,
        Pan: '430000******0777',
        ExpDate: '1230',
        ...options.extra,
      }
      // A payment opened to save the card: T-Bank saves it when the payment is confirmed.
      if (status === 'CONFIRMED' && payment.customerKey) {
        payment.rebillId ??= String(++nextRebill)
        if (!cards.has(payment.rebillId)) cards.set(payment.rebillId, { customerKey: payment.customerKey, declines: false })
        body.RebillId = Number(payment.rebillId)
      }
      body.Token = tbankToken(body, options.password ?? password)
      const response = await fetch(options.to ?? notifyVia ?? payment.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      return { status: response.status, body: await response.text() }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  return fake
}
