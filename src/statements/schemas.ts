import { Type, type Static } from 'typebox'
import { DateOnly, Money, Period, Uuid, ref } from '../common/schemas.ts'
import { ServiceKind } from '../suppliers/schemas.ts'


export const StatementQuery = Type.Object(
  {
    from: Type.Optional({ ...Period, description: 'First period (default: 11 months before `to`).' }),
    to: Type.Optional({ ...Period, description: "Last period (default: the current one, in the supplier's time zone)." }),
  },
  { additionalProperties: false },
)
export type StatementQuery = Static<typeof StatementQuery>

export const StatementPeriod = Type.Object(
  {
    period: Period,
    openingBalance: Money,
    charges: Type.Array(Type.Object({ service: ref(ServiceKind), amount: Money }, { additionalProperties: false })),
    penalties: { ...Money, description: 'Penalty lines of the period (Housing Code 155.14): on the account, not on a service.' },
    chargesTotal: { ...Money, description: 'The charges of every service plus the penalties.' },
    payments: { ...Money, description: 'Settled payments dated in the period (supplier local time).' },
    closingBalance: { ...Money, description: 'openingBalance + chargesTotal − payments.' },
    invoice: Type.Union(
      [
        Type.Object(
          { number: Type.Integer({ minimum: 1 }), totalDue: Money, dueDate: DateOnly },
          { additionalProperties: false, description: 'The receipt issued for the period (GET /v1/accounts/{id}/invoices/{period}).' },
        ),
        Type.Null(),
      ],
      { description: 'Null while the period is open, or when nothing was billed or owed.' },
    ),
  },
  { $id: 'StatementPeriod', additionalProperties: false },
)

export const Statement = Type.Object(
  {
    account: Type.Object({ id: Uuid, number: Type.String(), address: Type.String(), holder: Type.String() }, { additionalProperties: false }),
    supplier: Type.Object({ name: Type.String(), inn: Type.String() }, { additionalProperties: false }),
    from: Period,
    to: Period,
    openingBalance: Money,
    chargesTotal: Money,
    paymentsTotal: Money,
    closingBalance: Money,
    periods: Type.Array(ref(StatementPeriod)),
    generatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Statement', additionalProperties: false, description: 'Balances reconcile to the kopeck: each closing is the next opening.' },
)
export type Statement = Static<typeof Statement>

export const statementSchemas = [StatementPeriod, Statement]
