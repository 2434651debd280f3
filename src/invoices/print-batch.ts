import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { MessageChannel } from 'node:worker_threads'
import type { Caller } from '../access/guard.ts'
import { visibleSupplier } from '../access/scope.ts'
import { localDate } from '../accounts/meters.ts'
import { ConflictError, NotFoundError } from '../common/errors.ts'
import { periodName } from '../common/periods.ts'
import type { Tx } from '../db/transaction.ts'
import type { StoredBlob } from '../storage/blob-store.ts'
import { INVOICE_DETAIL_COLUMNS, invoiceOf, invoiceQrInput, receiptOf, type InvoiceRow } from './invoice-view.ts'
import { paymentQrPayload } from './payment-qr.ts'
import type { BatchReply, BatchRequest } from './receipt-batch-pdf.ts'
import type { ReceiptDocument } from './receipt-pdf.ts'

export const PRINT_INVOICES_TASK = 'invoices:print'

/** Receipts sent to the render thread at a time: a few hundred kilobytes of PDF in flight. */
const PAGES_PER_REQUEST = 200


function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

const storageKeyOf = (supplierId: string, period: string) => `print-batches/${supplierId}/${period}.pdf`

/** Called by the issuing job in its transaction: the batch to make, and the job that makes it. */
export async function queuePrintBatch(app: FastifyInstance, tx: Tx, batch: { supplierId: string; period: string; runId: string | null; invoices: number }) {
  await tx.sql`
    INSERT INTO print_batch ("supplierId", period, "runId", status, invoices, "createdAt")
    VALUES (${batch.supplierId}::uuid, ${`${batch.period}-01`}::date, ${batch.runId}::uuid, ${batch.invoices > 0 ? 'pending' : 'empty'}::print_batch_status, ${batch.invoices}::int, ${app.config.clock.now()})`
  if (batch.invoices > 0) {
    await app.jobs.add(tx, { task: PRINT_INVOICES_TASK, payload: { supplierId: batch.supplierId, period: batch.period }, key: `invoices:print:${batch.supplierId}:${batch.period}` })
  }
}

/**
 * Feeds the paper receipts of a period, in address order, to a render thread and streams the PDF
 * it makes to storage. Memory stays flat whatever the count: the database hands rows over through
 * a cursor, the thread draws a request's pages at a time, and the next request waits until the
 * storage has taken the bytes of the last.
 */
async function makePrintBatch(app: FastifyInstance, supplierId: string, period: string): Promise<void> {
  const supplier = await app.prisma.supplier.findUniqueOrThrow({ where: { id: supplierId } })
  const key = storageKeyOf(supplierId, period)
  return app.transaction(
    async (tx) => {
      // Locked for the whole job (a second job of the period waits, then finds it made), read after.
      await tx.sql`SELECT 1 FROM print_batch WHERE "supplierId" = ${supplierId}::uuid AND period = ${`${period}-01`}::date FOR UPDATE`
      const [batch] = await tx.sql<{ status: string }>`SELECT status::text FROM print_batch WHERE "supplierId" = ${supplierId}::uuid AND period = ${`${period}-01`}::date`
      if (batch?.status !== 'pending') return
      await tx.query(
        `DECLARE paper NO SCROLL CURSOR FOR
         SELECT ${INVOICE_DETAIL_COLUMNS} FROM invoice i JOIN invoice_requisites q ON q.id = i."requisitesId"
         WHERE i."supplierId" = $1::uuid AND i.period = $2::date AND i.delivery = 'paper'
         ORDER BY i.address COLLATE "ru_natural", i."accountNumber" COLLATE "ru_natural", i.id`,
        [supplierId, `${period}-01`],
      )
      const next = async (): Promise<ReceiptDocument[]> =>
        (await tx.query<InvoiceRow>(`FETCH ${PAGES_PER_REQUEST} FROM paper`)).map((row) =>
          receiptOf({ ...invoiceOf(row, paymentQrPayload(invoiceQrInput(row))), accessCode: row.accessCode }, localDate(new Date(row.issuedAt), supplier.timeZone)),
        )

      const { port1: port, port2 } = new MessageChannel()
      const out = new PassThrough()
      // Set by whichever side fails first (storage, render thread); a holder, as callbacks set it.
      const problem: { error: Error | null } = { error: null }
      let pages = 0
      let drawn = deferred()
      const failed = deferred()
      const fail = (error: Error) => {
        problem.error ??= error
        out.destroy(problem.error)
        failed.resolve()
      }
      port.on('message', (reply: BatchReply) => {
        if ('chunk' in reply) {
          if (!problem.error) out.write(Buffer.from(reply.chunk.buffer, reply.chunk.byteOffset, reply.chunk.byteLength))
        } else if ('drawn' in reply) drawn.resolve()
        else if ('done' in reply) {
          pages = reply.pages
          out.end()
        } else fail(new Error(`drawing the print batch failed: ${reply.failed}`))
      })
      const stored = app.storage.put(key, out, 'application/pdf')
      stored.catch(fail)
      const rendering = app.renderReceiptBatch(port2, { title: `Квитанции за ${periodName(period)} на печать`, subject: supplier.shortName })
      rendering.catch(fail)
      const send = (request: BatchRequest) => port.postMessage(request)
      try {
        let receipts = await next()
        while (receipts.length > 0 && !problem.error) {
          drawn = deferred()
          send({ receipts })
          // The next rows are read while the thread draws these.
          const following = next()
          following.catch(() => undefined)
          await Promise.race([drawn.promise, failed.promise])
          if (out.writableNeedDrain && !problem.error) await Promise.race([once(out, 'drain'), failed.promise])
          receipts = await following
        }
        if (!problem.error) send({ end: true })
        const [{ bytes }] = await Promise.all([stored, rendering])
        if (problem.error) throw problem.error
        await tx.sql`
          UPDATE print_batch SET status = 'ready', pages = ${pages}::int, bytes = ${bytes}::bigint, "storageKey" = ${key}, "readyAt" = ${app.config.clock.now()}
          WHERE "supplierId" = ${supplierId}::uuid AND period = ${`${period}-01`}::date`
      } finally {
        // Ends the render thread's wait, whatever happened here.
        port.close()
        await tx.query('CLOSE paper').catch(() => undefined)
      }
    },
    { timeout: 6 * 3_600_000 },
  )
}

function createPrintBatchService(app: FastifyInstance) {
  app.jobs.define(PRINT_INVOICES_TASK, async (payload) => {
    const supplierId = String(payload.supplierId)
    const period = String(payload.period)
    await makePrintBatch(app, supplierId, period)
  })

  async function file(supplier: { id: string; code: string }, period: string): Promise<{ blob: StoredBlob; filename: string }> {
    const [batch] = await app.db.sql<{ status: 'pending' | 'ready' | 'empty'; storageKey: string | null }>`
      SELECT status::text, "storageKey" FROM print_batch WHERE "supplierId" = ${supplier.id}::uuid AND period = ${`${period}-01`}::date`
    if (!batch || batch.status === 'pending') {
      throw new ConflictError('print_batch_not_ready', `The print batch of ${period} is not made yet: the period must be closed and its receipts issued; it is made by a job after that.`)
    }
    if (batch.status === 'empty') throw new NotFoundError('print_batch_empty', `No receipt of ${period} goes on paper: every one is delivered electronically.`)
    const blob = await app.storage.get(batch.storageKey!)
    if (!blob) throw new Error(`print batch ${batch.storageKey} is missing from storage`)
    return { blob, filename: `receipts-${supplier.code}-${period}.pdf` }
  }

  return {
    /** The period's print batch as stored, for a caller who may see the supplier. */
    async ofPeriod(caller: Caller, supplierId: string, period: string) {
      return file(await visibleSupplier(app, caller, supplierId), period)
    },
    /** The print batch of a run's period; only a closed run's period has one. */
    async ofRun(caller: Caller, runId: string) {
      const run = await app.billingRuns.get(caller, runId)
      return file(await app.prisma.supplier.findUniqueOrThrow({ where: { id: run.supplierId }, select: { id: true, code: true } }), run.period)
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    printBatches: ReturnType<typeof createPrintBatchService>
  }
}

export default fp(
  async function printBatches(app: FastifyInstance) {
    app.decorate('printBatches', createPrintBatchService(app))
  },
  { name: 'print-batches', dependencies: ['prisma', 'jobs', 'storage', 'render-pool', 'billing-run-service'] },
)
