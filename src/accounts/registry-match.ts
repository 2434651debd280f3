import { UnprocessableError } from '../common/errors.ts'

/** The one answer for an account that is unknown, closed, held by someone else, or whose proof is wrong. */
export function accountNotMatched(): UnprocessableError {
  return new UnprocessableError(
    'account_not_matched',
    "No active account with this number, holder's surname and proof in the supplier's register. Check them against your receipt.",
  )
}
