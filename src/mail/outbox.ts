import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import nodemailer, { type Transporter } from 'nodemailer'
import { newIdFunction } from '../db/ids.ts'
import type { Tx } from '../db/transaction.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { renderMail, type MailInput } from './templates.ts'

/** A file a mail carries, made when the mail is sent (never stored in the outbox). */
export interface MailAttachment {
  filename: string
  contentType: string
  content: Buffer
}

export interface MailOutbox {
  /** Queues a mail inside the caller's transaction: it exists, and is sent, only if the change commits. */
  enqueue(tx: Tx, mail: MailInput): Promise<void>
  /**
   * Queues many mails in two statements (the outbox rows, then their jobs). A mail with an
   * `invoiceId` carries that invoice's receipt PDF, made by the attachment renderer at send time.
   */
  enqueueMany(tx: Tx, mails: { mail: MailInput; invoiceId?: string }[]): Promise<number>
  /** The renderer of invoice attachments (the invoices domain registers it). */
  renderInvoiceWith(render: (invoiceId: string) => Promise<MailAttachment>): void
  /**
   * Runs work that ends in a mail after the response is sent, so that the answer takes the same
   * time whether or not there is anything to mail (no account enumeration by timing).
   */
  later(task: () => Promise<void>): void
  /** Finishes `later` work, then runs the due jobs (mail among them) until none is left (tests). */
  drain(): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    mail: MailOutbox
  }
}

export const SEND_MAIL_TASK = 'mail:send'

/**
 * Mail through the job queue. Each mail is a row of `mail_outbox` (what was sent to whom, and
 * whether it arrived) and a `mail:send` job, both written in the transaction of the change that
 * causes them. A worker sends it over SMTP; a refused delivery is retried with the queue's
 * exponential backoff up to MAIL_MAX_ATTEMPTS, then the row is marked failed and the job shows
 * up among the failed jobs for an admin. Without SMTP_URL mails are written to the log.
 */
export default fp(
  async function mailOutbox(app: FastifyInstance) {
    const { smtpUrl, from, maxAttempts } = app.config.mail
    const transport: Transporter | null = smtpUrl ? nodemailer.createTransport(smtpUrl) : null
    const deferred = new Set<Promise<void>>()
    let renderInvoice: ((invoiceId: string) => Promise<MailAttachment>) | null = null

    app.jobs.define(SEND_MAIL_TASK, async (payload, helpers) => {
      const id = String(payload.mailId)
      const mail = await app.prisma.mailOutbox.findUnique({ where: { id } })
      // Sent already (a retry after a crash between sending and recording), or gone: nothing to do.
      if (!mail || mail.status === 'sent') return
      const attempt = helpers.job.attempts
      try {
        if (mail.invoiceId && !renderInvoice) throw new Error('no renderer of invoice attachments is registered')
        const attachments = mail.invoiceId ? [await renderInvoice!(mail.invoiceId)] : []
        if (transport) await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, attachments })
        else app.log.info({ mail: { to: mail.to, subject: mail.subject, text: mail.text } }, 'mail (no SMTP_URL: logged, not sent)')
      } catch (error) {
        const last = attempt >= helpers.job.max_attempts
        await app.prisma.mailOutbox.update({
          where: { id },
          data: { status: last ? 'failed' : 'pending', attempts: attempt, lastError: String((error as Error).message).slice(0, 1000) },
        })
        throw error
      }
      await app.prisma.mailOutbox.update({ where: { id }, data: { status: 'sent', sentAt: app.config.clock.now(), attempts: attempt, lastError: null } })
    })

    app.decorate('mail', {
      async enqueue(tx, input) {
        const mail = await tx.mailOutbox.create({ data: renderMail(input), select: { id: true } })
        await app.jobs.add(tx, { task: SEND_MAIL_TASK, payload: { mailId: mail.id }, maxAttempts, key: `mail:${mail.id}` })
      },
      async enqueueMany(tx, mails) {
        if (mails.length === 0) return 0
        const rendered = mails.map(({ mail }) => renderMail(mail))
        const column = (pick: (m: (typeof rendered)[number], i: number) => string | null) => rendered.map(pick)
        const newId = Prisma.raw(await newIdFunction(tx))
        const [row] = await tx.sql<{ n: number }>`
          WITH m AS (
            INSERT INTO mail_outbox (id, "to", template, subject, text, html, "invoiceId")
            SELECT ${newId}, * FROM unnest(${column((m) => m.to)}::text[], ${column((m) => m.template)}::text[], ${column((m) => m.subject)}::text[],
              ${column((m) => m.text)}::text[], ${column((m) => m.html)}::text[], ${column((_, i) => mails[i]!.invoiceId ?? null)}::uuid[])
            RETURNING id)
          SELECT count(*)::int AS n FROM graphile_worker.add_jobs(ARRAY(
            SELECT ROW(${SEND_MAIL_TASK}::text, json_build_object('mailId', m.id), NULL, NULL, ${maxAttempts}::int, 'mail:' || m.id, NULL, NULL)::graphile_worker.job_spec FROM m))`
        return row!.n
      },
      renderInvoiceWith(render) {
        renderInvoice = render
      },
      later(task) {
        const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
          .then(task)
          .catch((error: unknown) => app.log.error({ err: error }, 'deferred mail work failed'))
          .finally(() => deferred.delete(done))
        deferred.add(done)
      },
      async drain() {
        while (deferred.size > 0) await Promise.all(deferred)
        await app.jobs.drain()
      },
    } satisfies MailOutbox)

    app.addHook('onClose', async () => {
      while (deferred.size > 0) await Promise.all(deferred)
      transport?.close()
    })
  },
  { name: 'mail', dependencies: ['config', 'prisma', 'jobs'] },
)
