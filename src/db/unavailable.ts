/**
 * Whether an error means "the database cannot be reached right now" (down, restarting, refusing
 * connections, the pool out of time) rather than a fault of the request or of this program.
 * Such errors answer 503 with Retry-After; the client's retry is the right move. Drivers wrap
 * errors in one another (Prisma's adapter around pg's), so the cause chain is walked.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections; class 08 is connection exceptions.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300'])
// Prisma: cannot reach, timed out, server closed the connection, timed out waiting for a pooled connection.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024'])
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Can't reach database server/i
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'DatabaseDoesNotExist'])

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth++) {
    const { code, kind, message } = current as { code?: unknown; kind?: unknown; message?: unknown }
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || PRISMA_CODES.has(code) || /^08/.test(code))) return true
    if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true
    if (typeof message === 'string' && MESSAGES.test(message)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
