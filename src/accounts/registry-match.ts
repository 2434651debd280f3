import type { FastifyInstance } from 'fastify'
import { sameSurname } from './holder-name.ts'
import { UnprocessableError } from '../common/errors.ts'
import { accountNumberFormatOf, normalizeAccountNumber } from '../suppliers/account-number.ts'

/**
 * The account a person names by supplier, number (in any form the supplier's format accepts)
 * and holder's surname — the proof of ownership for registration and for linking. An unknown
 * number and a wrong surname give one answer, so the register cannot be probed.
 */
export async function findAccountInRegister(app: FastifyInstance, input: { supplierId: string; accountNumber: string; surname: string }) {
  const supplier = await app.prisma.supplier.findUnique({ where: { id: input.supplierId } })
  if (!supplier) throw new UnprocessableError('supplier_not_found', 'No such supplier; pick one from GET /v1/suppliers.')
  const number = normalizeAccountNumber(input.accountNumber, accountNumberFormatOf(supplier))
  if (!number.ok) throw new UnprocessableError('account_number_invalid', number.reason, { example: supplier.accountNumberExample })
  const account = await app.prisma.account.findUnique({ where: { supplierId_number: { supplierId: supplier.id, number: number.number } } })
  if (!account || account.status !== 'active' || !sameSurname(account.holderSurname, input.surname)) throw accountNotMatched()
  return account
}

/** The one answer for an account that is unknown, closed, or held by someone else. */
export function accountNotMatched(): UnprocessableError {
  return new UnprocessableError(
    'account_not_matched',
    "No active account with this number and holder's surname in the supplier's register. Check both against your receipt.",
  )
}
