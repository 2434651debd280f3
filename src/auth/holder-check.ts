import type { FastifyInstance } from 'fastify'
import type { CaptchaVerifier } from './captcha.ts'
import { tooManyRequests, type createRateCounter } from './rate-counter.ts'
import { ForbiddenError, UnprocessableError } from '../common/errors.ts'
import type { Account } from '../generated/prisma/client.ts'
import { accountNumberFormatOf, normalizeAccountNumber } from '../suppliers/account-number.ts'
import { sameSurname } from '../accounts/holder-name.ts'
import { proofMatches } from '../suppliers/link-proof.ts'
import { accountNotMatched } from '../accounts/registry-match.ts'

export interface HolderClaim {
  supplierId: string
  accountNumber: string
  surname: string
  /** The supplier's second fact: the receipt's access code, the premises number, or the last receipt's amount. */
  proof: string
  captchaToken?: string | undefined
}

/** Who is claiming: a person (a user id, or the email being registered) from an address. */
export interface Claimant {
  person: string
  ip: string
}

type Counter = ReturnType<typeof createRateCounter>

/**
 * The proof of holding an account, for registration and for linking: supplier, number, the
 * holder's surname and the supplier's second fact — with failures counted in PostgreSQL per
 * person, per account number and per address, so a scanner meets a captcha after a few misses
 * and then a pause. The pause lands on the person and the address that keep failing, never on
 * the account: a stranger's misses must not keep its holder from linking it (they cost the
 * holder a captcha, no more). Unknown numbers, wrong surnames and wrong facts give one answer.
 */
export function createHolderCheck(app: FastifyInstance, counter: Counter, captcha: CaptchaVerifier) {
  const limits = app.config.linking

  return async function proveHolder(claim: HolderClaim, who: Claimant): Promise<Account> {
    const supplier = await app.prisma.supplier.findUnique({ where: { id: claim.supplierId } })
    if (!supplier) throw new UnprocessableError('supplier_not_found', 'No such supplier; pick one from GET /v1/suppliers.')
    const number = normalizeAccountNumber(claim.accountNumber, accountNumberFormatOf(supplier))
    if (!number.ok) throw new UnprocessableError('account_number_invalid', number.reason, { example: supplier.accountNumberExample })

    const keys = { person: `link-failures:person:${who.person}`, ip: `link-failures:ip:${who.ip}`, account: `link-failures:account:${supplier.id}:${number.number}` }
    const seen = await counter.peekMany(Object.values(keys), limits.windowMs)
    const count = (key: string) => seen.get(key)?.count ?? 0
    const pausedBy = [keys.person, keys.ip, ...(captcha.enabled ? [] : [keys.account])].find((key) => count(key) >= limits.pauseAfter)
    if (pausedBy) throw tooManyRequests(seen.get(pausedBy)!, { max: limits.pauseAfter, windowMs: limits.windowMs }, 'failed account checks', 'неудачных проверок лицевого счёта')
    if (captcha.enabled && Math.max(...Object.values(keys).map(count)) >= limits.captchaAfter) {
      if (!claim.captchaToken) throw new ForbiddenError('captcha_required', 'Several checks of this account or by you failed: solve the captcha (GET /v1/auth/captcha) and send captchaToken.')
      if (!(await captcha.verify(claim.captchaToken, who.ip))) throw new ForbiddenError('captcha_invalid', 'The captcha was not solved; try again.')
    }

    const account = await app.prisma.account.findUnique({ where: { supplierId_number: { supplierId: supplier.id, number: number.number } } })
    const lastInvoiceTotal =
      account && supplier.linkProof === 'last_invoice_amount'
        ? ((await app.db.sql<{ total: string }>`
            SELECT "totalDue"::text AS total FROM invoice WHERE "accountId" = ${account.id}::uuid ORDER BY period DESC LIMIT 1`)[0]?.total ?? null)
        : null
    const holds =
      account !== null &&
      account.status === 'active' &&
      sameSurname(account.holderSurname, claim.surname) &&
      proofMatches(supplier.linkProof, claim.proof, { accessCode: account.accessCode, address: account.address, lastInvoiceTotal })
    if (!holds) {
      await Promise.all(Object.values(keys).map((key) => counter.hit(key, limits.windowMs)))
      throw accountNotMatched()
    }
    await counter.clear(keys.person)
    return account
  }
}

export type HolderCheck = ReturnType<typeof createHolderCheck>
