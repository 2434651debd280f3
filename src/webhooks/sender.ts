import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { Resolve } from '../common/resolve.ts'
import { AddressRefused, allowedAddresses, checkUrlShape, forbiddenAddress } from './address-guard.ts'
import { firstBytes, outcomeOfStatus, type AttemptOutcome } from './delivery-rules.ts'

export interface SendResult {
  outcome: AttemptOutcome
  statusCode: number | null
  durationMs: number
  /** The first 1 KiB of the answer. */
  responseBody: string | null
  error: string | null
  retryAfter: string | undefined
}

export interface Sender {
  send(url: string, headers: Record<string, string>, body: string): Promise<SendResult>
  close(): void
}

// Read past the first KiB only to keep the connection for the next delivery; a receiver that
// answers more than this loses its connection instead.
const MAX_DRAIN_BYTES = 64 * 1024

class Timeout extends Error {
  override name = 'Timeout'
}

/**
 * POSTs one signed event. The address every connection uses is checked as it is resolved (the
 * agents' `lookup`), so a name that passed when the endpoint was saved and now points inside is
 * refused before any byte is sent; an IP literal is checked before the request. Redirects are
 * answers like any other (never followed); the timeout covers the whole exchange. Connections
 * are kept alive between deliveries to one endpoint.
 */
export function createSender(options: { resolve: Resolve; allowPrivate: boolean; timeoutMs: number; userAgent: string }): Sender {
  const { resolve, allowPrivate, timeoutMs } = options
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    allowedAddresses(hostname, resolve, allowPrivate).then(
      (addresses) => {
        const family = lookupOptions.family === 6 ? 6 : lookupOptions.family === 4 ? 4 : 0
        const usable = family ? addresses.filter((a) => a.family === family) : addresses
        if (lookupOptions.all) callback(null, usable)
        else if (usable[0]) callback(null, usable[0].address, usable[0].family)
        else callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0)
      },
      (error: Error) => callback(Object.assign(error, { code: error instanceof AddressRefused && !error.unresolvable ? 'EADDRREFUSED' : 'ENOTFOUND' }), '', 0),
    )
  }
  const agents = {
    'http:': new http.Agent({ keepAlive: true, lookup, maxSockets: 8 }),
    'https:': new https.Agent({ keepAlive: true, lookup, maxSockets: 8 }),
  }

  function result(outcome: AttemptOutcome, started: number, rest: Partial<SendResult> = {}): SendResult {
    return { outcome, statusCode: null, durationMs: Math.round(performance.now() - started), responseBody: null, error: null, retryAfter: undefined, ...rest }
  }

  async function send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now()
    const shape = checkUrlShape(url, allowPrivate)
    if (!shape.ok) return result('refused', started, { error: shape.reason })
    // A literal address never reaches `lookup`: it is checked here.
    const literal = isIP(shape.hostname) && !allowPrivate ? forbiddenAddress(shape.hostname) : null
    if (literal) return result('refused', started, { error: literal })
    const transport = shape.url.protocol === 'https:' ? https : http
    const payload = Buffer.from(body)
    return new Promise<SendResult>((settle) => {
      let done = false
      const finish = (value: SendResult) => {
        if (done) return
        done = true
        clearTimeout(timer)
        settle(value)
      }
      const request = transport.request(shape.url, {
        method: 'POST',
        agent: agents[shape.url.protocol as 'http:' | 'https:'],
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': options.userAgent },
      })
      const timer = setTimeout(() => request.destroy(new Timeout(`no complete answer in ${timeoutMs} ms`)), timeoutMs)
      request.on('error', (error: Error & { code?: string }) => {
        if (error instanceof Timeout) return finish(result('timeout', started, { error: error.message }))
        if (error.code === 'EADDRREFUSED') return finish(result('refused', started, { error: error.message }))
        finish(result('error', started, { error: error.code ? `${error.code}: ${error.message}` : error.message }))
      })
      request.on('response', (response) => {
        const chunks: Buffer[] = []
        let kept = 0
        let read = 0
        response.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (kept < 1024) {
            chunks.push(chunk)
            kept += chunk.length
          }
          if (read > MAX_DRAIN_BYTES) response.destroy()
        })
        const answer = () => {
          const statusCode = response.statusCode ?? 0
          const retryAfter = response.headers['retry-after']
          finish(result(outcomeOfStatus(statusCode), started, { statusCode, responseBody: firstBytes(Buffer.concat(chunks)), retryAfter }))
        }
        response.on('end', answer)
        // Cut off after the first bytes (too long an answer): what was read is the answer.
        response.on('close', answer)
        response.on('error', answer)
      })
      request.end(payload)
    })
  }

  return {
    send,
    close() {
      agents['http:'].destroy()
      agents['https:'].destroy()
    },
  }
}
