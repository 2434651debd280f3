import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Piscina } from 'piscina'
import type { MessagePort } from 'node:worker_threads'
import type { PdfInfo } from '../documents/pdf.ts'
import type { ReceiptBatchTask, RenderTask } from './render-task.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Renders a PDF on a render thread: a page takes tens of milliseconds of CPU the event loop never spends. */
    renderPdf(task: RenderTask): Promise<Buffer>
    /** Draws receipts sent through `port` into one PDF streamed back through it (see receipt-batch-pdf.ts); occupies a thread until the end. */
    renderReceiptBatch(port: MessagePort, info: PdfInfo): Promise<void>
  }
}

// The worker is this folder's render-worker, .ts from the sources and .js from the build.
const here = fileURLToPath(import.meta.url)
const WORKER = path.join(path.dirname(here), `render-worker${path.extname(here)}`)

const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C'])

/**
 * The process's flags a thread may take: how modules load (tsx's hooks). Others, such as the
 * worker's `--max-semi-space-size`, are refused by worker threads (their heap is set below).
 */
export function moduleLoaderArgs(execArgv: string[]): string[] {
  const kept: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!
    if (LOADER_FLAGS.has(arg) && i + 1 < execArgv.length) kept.push(arg, execArgv[++i]!)
    else if (LOADER_FLAGS.has(arg.split('=')[0]!) && arg.includes('=')) kept.push(arg)
  }
  return kept
}

/** The pool of render threads (the plugin's, and bench:receipts' own). */
export function createRenderPool(threads: number) {
  return new Piscina<RenderTask | ReceiptBatchTask, Uint8Array | undefined>({
    filename: WORKER,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    // Drawing allocates fast and keeps little (a receipt batch holds ~20 MB); V8 would otherwise
    // grow the young generation to 64 MB semi-spaces and hold ~150 MB per thread for nothing.
    resourceLimits: { maxYoungGenerationSizeMb: 24 },
    // Node's own type stripping loads the .ts worker; tsx's hooks, when present, are inherited.
    execArgv: moduleLoaderArgs(process.execArgv),
  })
}

/**
 * PDFs (receipts, statements, certificates) are drawn on a pool of worker threads, so that a
 * burst of documents never delays other requests. Threads start on the first document and stop
 * after a minute idle; waiting tasks queue in the pool.
 */
export default fp(
  async function renderPool(app: FastifyInstance) {
    const pool = createRenderPool(app.config.documents.renderThreads)
    app.decorate('renderPdf', async (task: RenderTask) => {
      const bytes = (await pool.run(task))!
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    })
    app.decorate('renderReceiptBatch', async (port: MessagePort, info: PdfInfo) => {
      await pool.run({ kind: 'receipt-batch', port, info } satisfies ReceiptBatchTask, { transferList: [port] })
    })
    app.addHook('onClose', async () => {
      // Lets queued and running renders finish (their requests are still being answered), then stops the threads.
      await pool.close()
    })
  },
  { name: 'render-pool', dependencies: ['config'] },
)
