import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

export interface Received {
  headers: IncomingHttpHeaders
  body: string
  json: { id: string; type: string; version: number; timestamp: string; supplierId: string; data: Record<string, unknown> }
}

export interface Answer {
  status: number
  headers?: Record<string, string>
  body?: string
  /** Answer only after this long (a receiver too slow for the timeout). */
  delayMs?: number
}

/** A local integrator: records every request it gets and answers as the test says (200 by default). */
export interface Receiver {
  url: string
  received: Received[]
  answer: (request: Received) => Answer
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], answer: () => ({ status: 200, body: 'ok' }), close: async () => {} }
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const received: Received = { headers: request.headers, body, json: JSON.parse(body) as Received['json'] }
      receiver.received.push(received)
      const answer = receiver.answer(received)
      const send = () => {
        if (response.destroyed) return
        response.writeHead(answer.status, answer.headers ?? {})
        response.end(answer.body ?? '')
      }
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer)
          send()
        }, answer.delayMs)
        timers.add(timer)
      } else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  receiver.close = async () => {
    for (const timer of timers) clearTimeout(timer)
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return receiver
}

/** The signatures of a request, as `v1,...` strings. */
export const signaturesOf = (r: Received) => String(r.headers['webhook-signature']).split(' ')

/**
 * Whether `secret` signed this request, checked with the standardwebhooks package: its own
 * signature of the same id, timestamp and body must be among the request's. (The package's
 * `verify` also checks the timestamp against the real clock; tests on a set clock use this.)
 */
export function signedBy(secret: string, r: Received): boolean {
  const id = String(r.headers['webhook-id'])
  const timestamp = Number(r.headers['webhook-timestamp'])
  const expected = new Webhook(secret).sign(id, new Date(timestamp * 1000), r.body)
  return signaturesOf(r).includes(expected)
}
