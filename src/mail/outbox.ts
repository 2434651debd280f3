import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import nodemailer, { type Transporter } from 'nodemailer'
import type { Prisma } from '../generated/prisma/client.ts'
import { renderMail, type MailInput } from './templates.ts'

export interface MailOutbox {
  /** Queues a mail inside the caller's transaction: it exists only if the change commits. */
  enqueue(tx: Prisma.TransactionClient, mail: MailInput): Promise<void>
  /** Asks for delivery now (after a commit); delivery itself never blocks the request. */
  kick(): void
  /**
   * Runs work that ends in a mail after the response is sent, so that the answer takes the same
   * time whether or not there is anything to mail (no account enumeration by timing).
   */
  later(task: () => Promise<void>): void
  /** Finishes `later` work, then delivers everything due, until nothing is (tests; shutdown). */
  drain(): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    mail: MailOutbox
  }
}

const BATCH = 20
// A claimed mail is invisible to other instances for this long, so a crash mid-send only delays it.
const LEASE = "interval '5 minutes'"

/** Exponential backoff: 30 s, 1 min, 2 min, ... capped at 6 h (12 attempts span about a day). */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 6 * 3600_000)
}

/**
 * The durable mail outbox. Mails are rows of `mail_outbox`, written in the transaction of the
 * change that causes them; this plugin claims due rows (SKIP LOCKED, so several instances share
 * the work), sends them over SMTP, and retries failures with backoff. Without SMTP_URL the mails
 * are written to the log instead (development).
 */
export default fp(
  async function mailOutbox(app: FastifyInstance) {
    const { smtpUrl, from, pollIntervalMs, maxAttempts } = app.config.mail
    const transport: Transporter | null = smtpUrl ? nodemailer.createTransport(smtpUrl) : null
    let running: Promise<void> | null = null
    const deferred = new Set<Promise<void>>()
    let again = false
    let closed = false

    async function send(mail: { to: string; subject: string; text: string; html: string }): Promise<void> {
      if (transport) {
        await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html })
      } else {
        app.log.info({ mail: { to: mail.to, subject: mail.subject, text: mail.text } }, 'mail (no SMTP_URL: logged, not sent)')
      }
    }

    async function deliverBatch(): Promise<number> {
      const due = await app.prisma.$queryRawUnsafe<{ id: string; to: string; subject: string; text: string; html: string; attempts: number }[]>(
        `UPDATE mail_outbox SET "nextAttemptAt" = now() + ${LEASE}, attempts = attempts + 1
         WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'pending' AND "nextAttemptAt" <= now()
                      ORDER BY "nextAttemptAt" LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
         RETURNING id, "to", subject, text, html, attempts`,
      )
      for (const mail of due) {
        try {
          await send(mail)
          await app.prisma.mailOutbox.update({ where: { id: mail.id }, data: { status: 'sent', sentAt: new Date(), lastError: null } })
        } catch (error) {
          const giveUp = mail.attempts >= maxAttempts
          app.log.warn({ err: error, mailId: mail.id, attempts: mail.attempts, giveUp }, 'mail delivery failed')
          await app.prisma.mailOutbox.update({
            where: { id: mail.id },
            data: {
              status: giveUp ? 'failed' : 'pending',
              lastError: String((error as Error).message).slice(0, 1000),
              nextAttemptAt: new Date(Date.now() + retryDelayMs(mail.attempts)),
            },
          })
        }
      }
      return due.length
    }

    async function drain(): Promise<void> {
      while ((await deliverBatch()) === BATCH) {
        // a full batch: there may be more
      }
    }

    function kick(): void {
      if (closed) return
      if (running) {
        again = true
        return
      }
      running = drain()
        .catch((error: unknown) => app.log.error({ err: error }, 'mail outbox run failed'))
        .finally(() => {
          running = null
          if (again) {
            again = false
            kick()
          }
        })
    }

    const timer = setInterval(kick, pollIntervalMs)
    timer.unref()

    app.decorate('mail', {
      async enqueue(tx, input) {
        const mail = renderMail(input)
        await tx.mailOutbox.create({ data: mail })
      },
      kick,
      later(task) {
        const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
          .then(task)
          .catch((error: unknown) => app.log.error({ err: error }, 'deferred mail work failed'))
          .finally(() => deferred.delete(done))
        deferred.add(done)
      },
      async drain() {
        while (deferred.size > 0) await Promise.all(deferred)
        // One run at a time: wait out the current one, then run (and any run it chains) to the end.
        // (Read through a function: kick() replaces `running` behind the compiler's back.)
        const current = (): Promise<void> | null => running
        for (let run = current(); run; run = current()) await run
        kick()
        for (let run = current(); run; run = current()) await run
      },
    } satisfies MailOutbox)

    app.addHook('onClose', async () => {
      while (deferred.size > 0) await Promise.all(deferred)
      closed = true
      clearInterval(timer)
      if (running) await running
      transport?.close()
    })
  },
  { name: 'mail', dependencies: ['config', 'prisma'] },
)
