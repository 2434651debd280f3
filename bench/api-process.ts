import { spawn } from 'node:child_process'
import { freePort } from '../src/db/embedded.ts'

/**
 * The API as production runs it: `src/server.ts` in a process of its own, so that the load
 * generator never shares its event loop. No migrations or seed at start (the caller prepared the
 * database) and no rate limits (one load generator is one IP).
 */
export async function startApiProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<{ base: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort()
  // BENCH_API_NODE_ARGS: flags for the API's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const api = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MIGRATE_ON_START: 'false',
      SEED_DEMO_DATA: 'false',
      RATE_LIMIT_MAX: '100000000',
      AUTH_RATE_LIMIT_MAX: '100000000',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = new Promise((resolve) => api.on('exit', resolve))
  const base = `http://127.0.0.1:${port}`
  for (let ready = false; !ready; ) {
    ready = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return {
    base,
    pid: api.pid!,
    async stop() {
      api.kill('SIGTERM')
      await exited
    },
  }
}

/** A worker process (`src/worker.ts`) beside the API, as production runs the jobs. */
export function startWorkerProcess(databaseUrl: string, env: Record<string, string> = {}): { pid: number; stop: () => Promise<void> } {
  // The flags of `npm run worker` (package.json).
  const worker = spawn(process.execPath, ['--max-semi-space-size=16', '--import', 'tsx', 'src/worker.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', MIGRATE_ON_START: 'false', SEED_DEMO_DATA: 'false', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = new Promise((resolve) => worker.on('exit', resolve))
  return {
    pid: worker.pid!,
    async stop() {
      worker.kill('SIGTERM')
      await exited
    },
  }
}
