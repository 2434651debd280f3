import { Type, type Static } from 'typebox'
import { DateOnly, Money, Page, PageQuery, Uuid } from '../common/schemas.ts'

const KIND = Type.Enum(['matched', 'missing', 'extra', 'mismatched', 'rejected'], { type: 'string' })

export const ReconciliationStart = Type.Object(
  {
    supplierId: Uuid,
    client: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,31}$', description: 'The bank, as its API key names it (its payments are bank:<client>).', examples: ['sberbank'] }),
    date: { ...DateOnly, description: 'The day the registry covers (the supplier’s calendar): our payments of that day it lacks are extra.' },
    encoding: Type.Optional(Type.Enum(['utf-8', 'windows-1251'], { type: 'string' })),
    delimiter: Type.Optional(Type.Enum([';', ','], { type: 'string' })),
  },
  { additionalProperties: false },
)
export type ReconciliationStart = Static<typeof ReconciliationStart>

const counts = Type.Object(
  { matched: Type.Integer(), missing: Type.Integer(), extra: Type.Integer(), mismatched: Type.Integer(), rejected: Type.Integer() },
  { additionalProperties: false },
)

export const Reconciliation = Type.Object(
  { id: Uuid, supplierId: Uuid, client: Type.String(), date: DateOnly, counts, createdAt: Type.String({ format: 'date-time' }) },
  {
    $id: 'PaymentReconciliation',
    additionalProperties: false,
    examples: [
      {
        id: '019ad3a0-2b3c-7d4e-8f50-6a7b8c9d0e1f',
        supplierId: '019ad0a1-5e2f-7a10-8c3d-4b5e6f708192',
        client: 'sberbank',
        date: '2026-11-25',
        counts: { matched: 1840, missing: 3, extra: 1, mismatched: 1, rejected: 2 },
        createdAt: '2026-11-26T04:10:00.000Z',
      },
    ],
  },
)
export type Reconciliation = Static<typeof Reconciliation>

export const ReconciliationLine = Type.Object(
  {
    id: Uuid,
    kind: KIND,
    line: Type.Union([Type.Integer(), Type.Null()], { description: 'The registry’s line; null on extra (ours alone).' }),
    externalId: Type.Union([Type.String(), Type.Null()], { description: 'The bank’s payment id.' }),
    accountNumber: Type.Union([Type.String(), Type.Null()]),
    amount: Type.Union([Money, Type.Null()]),
    paidAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    paymentId: Type.Union([Uuid, Type.Null()], { description: 'Ours: matched, or created from the line.' }),
    code: Type.Union([Type.String(), Type.Null()], { description: 'account_not_found, payment_conflict, not_in_registry, or a row rule’s code.' }),
    detail: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'PaymentReconciliationLine', additionalProperties: false },
)
export type ReconciliationLine = Static<typeof ReconciliationLine>
export const ReconciliationLinePage = Page(ReconciliationLine)

export const ReconciliationLineQuery = Type.Object({ ...PageQuery.properties, kind: Type.Optional(KIND) }, { additionalProperties: false })
export type ReconciliationLineQuery = Static<typeof ReconciliationLineQuery>

export const MissingCreated = Type.Object(
  { created: Type.Integer({ description: 'Payments recorded now (0 when an earlier call, or the bank, recorded them).' }), reconciliation: Reconciliation },
  { $id: 'PaymentReconciliationMissingCreated', additionalProperties: false },
)

export const reconciliationSchemas = [Reconciliation, ReconciliationLine, ReconciliationLinePage, MissingCreated]
