import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  to: string
  subject: string
  text: string
  html: string
  attachments: { filename: string; contentType: string; content: Buffer }[]
}

/** A real SMTP server on a free loopback port, keeping what it receives (parsed) in memory. */
export async function startSmtpServer(options: { failNext?: number } = {}) {
  const received: ReceivedMail[] = []
  let failures = options.failNext ?? 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      if (failures > 0) {
        failures--
        stream.resume()
        stream.on('end', () => callback(Object.assign(new Error('451 try again later'), { responseCode: 451 })))
        return
      }
      simpleParser(stream)
        .then((mail) => {
          const to = session.envelope.rcptTo.map((r) => r.address).join(',')
          received.push({
            to,
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            attachments: mail.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content })),
          })
          callback()
        })
        .catch(callback)
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as { port: number }
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** Mails to this address so far, oldest first. */
    to: (address: string) => received.filter((mail) => mail.to === address),
    failNext(count: number) {
      failures = count
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type SmtpServer = Awaited<ReturnType<typeof startSmtpServer>>

/** The code a mail carries ("Код: ..."), which is also the token in its link. */
export function codeIn(mail: Pick<ReceivedMail, 'subject' | 'text'> | undefined): string {
  const code = mail?.text.match(/Код: ([A-Za-z0-9_-]{20,})/)?.[1]
  if (!code) throw new Error(`no code in mail: ${mail?.subject ?? '(no mail)'}`)
  return code
}
