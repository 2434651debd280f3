import { connect, createServer, type Socket } from 'node:net'

/**
 * A TCP proxy in front of PostgreSQL that a test can cut and restore: an outage as the app sees
 * it (connections dropped, new ones refused), without stopping the server other tests share.
 */
export async function startTcpProxy(targetHost: string, targetPort: number) {
  const open = new Set<Socket>()
  let down = false
  const server = createServer((client) => {
    if (down) return void client.destroy()
    const upstream = connect(targetPort, targetHost)
    open.add(client).add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    /** Drops every connection and refuses new ones until `restore()`. */
    cut() {
      down = true
      for (const socket of open) socket.destroy()
      open.clear()
    },
    restore() {
      down = false
    },
    async close() {
      this.cut()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
