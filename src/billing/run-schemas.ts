import { Type } from 'typebox'
import { Page, Period, Uuid } from '../common/schemas.ts'

const Amount = Type.String({ description: 'Rubles with kopecks.' })
const Tally = (key: string, description?: string) =>
  Type.Array(Type.Object({ [key]: Type.String(), lines: Type.Integer(), amount: Amount }, { additionalProperties: false }), description ? { description } : {})

export const BillingRunSummary = Type.Object(
  {
    accounts: Type.Integer({ description: 'Accounts with at least one line.' }),
    lines: Type.Integer(),
    amount: Amount,
    byKind: Tally('kind'),
    byService: Tally('service', 'Lines of services: penalty lines, which have none, are counted under byKind alone.'),
    problems: Type.Array(
      Type.Object(
        {
          accountNumber: Type.String(),
          service: Type.Union([Type.String(), Type.Null()], { description: 'Null for key_rate_missing: a penalty is on the account.' }),
          code: Type.Enum(['normative_missing', 'area_missing', 'key_rate_missing'], { type: 'string' }),
        },
        { additionalProperties: false },
      ),
      {
        description:
          'Accounts left without a line, and why (at most 1,000 of each): no normative in force, no area for heating, or no key rate in force on a day a penalty needs one.',
      },
    ),
    timingsMs: Type.Record(Type.String(), Type.Integer(), { description: 'Milliseconds per step.' }),
  },
  { $id: 'BillingRunSummary', additionalProperties: false },
)

export const BillingRunView = Type.Object(
  {
    id: Uuid,
    supplierId: Uuid,
    period: Period,
    dryRun: Type.Boolean({ description: 'Computed everything, kept only the summary.' }),
    status: Type.Enum(['queued', 'running', 'completed', 'failed'], { type: 'string' }),
    summary: Type.Union([Type.Unsafe({ $ref: 'BillingRunSummary' }), Type.Null()]),
    error: Type.Union(
      [
        Type.Object(
          {
            code: Type.Enum(['tariff_missing', 'period_closed', 'period_imported', 'billing_run_failed'], { type: 'string' }),
            detail: Type.String(),
            uncovered: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    service: Type.String(),
                    zone: Type.String(),
                    basis: Type.Union([Type.String(), Type.Null()], { description: 'The basis whose versions are missing; null before the run (any basis counts then).' }),
                    days: Type.Integer({ description: 'Days of the period covered.' }),
                  },
                  { additionalProperties: false },
                ),
              ),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'Why a failed run stopped; nothing of it was kept.' },
    ),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    periodClosed: Type.Boolean(),
  },
  {
    $id: 'BillingRun',
    additionalProperties: false,
    examples: [
      {
        id: '01936f0e-5555-7c3d-9e4f-5a6b7c8d9e0f',
        supplierId: '01936f0e-1111-7c3d-9e4f-5a6b7c8d9e0f',
        period: '2026-11',
        dryRun: false,
        status: 'completed',
        summary: {
          accounts: 2,
          lines: 4,
          amount: '2731.58',
          byKind: [
            { kind: 'metered', lines: 2, amount: '1365.79' },
            { kind: 'normative', lines: 2, amount: '1365.79' },
          ],
          byService: [
            { service: 'cold_water', lines: 2, amount: '1587.92' },
            { service: 'wastewater', lines: 2, amount: '1143.66' },
          ],
          problems: [],
          timingsMs: { clear: 2, quantities: 18, price: 9, readings: 1 },
        },
        error: null,
        createdAt: '2026-11-26T03:00:00.000Z',
        startedAt: '2026-11-26T03:00:00.120Z',
        finishedAt: '2026-11-26T03:00:00.310Z',
        periodClosed: false,
      },
    ],
  },
)

export const BillingRunStart = Type.Object(
  { supplierId: Uuid, period: Period, dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Preview the totals; write nothing.' })) },
  { $id: 'BillingRunStart', additionalProperties: false, examples: [{ supplierId: '01936f0e-1111-7c3d-9e4f-5a6b7c8d9e0f', period: '2026-11' }] },
)

export const BillingRunListQuery = Type.Object(
  {
    supplierId: Uuid,
    period: Type.Optional(Period),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
)

export const BillingRunPage = Page(BillingRunView)

export const BillingPeriodParams = Type.Object({ supplierId: Uuid, period: Period }, { additionalProperties: false })

export const BillingPeriodView = Type.Object(
  {
    supplierId: Uuid,
    period: Period,
    closed: Type.Boolean({ description: 'A closed period’s lines never change again; its receipts are issued.' }),
    closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    runId: Type.Union([Uuid, Type.Null()], { description: 'The run whose lines the period keeps; null for a published period of imported charges.' }),
    invoicesIssued: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Receipts issued; null until the issuing job has run.' }),
    invoicesIssuedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    printBatch: Type.Union(
      [
        Type.Object(
          {
            status: Type.String({ enum: ['pending', 'ready', 'empty'], description: 'pending: being made; ready: GET …/print-batch gives it; empty: no receipt goes on paper.' }),
            invoices: Type.Integer({ minimum: 0, description: 'Paper receipts in it.' }),
            pages: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
            bytes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
            readyAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'The paper receipts as one PDF for the printer; null until the receipts are issued.' },
    ),
  },
  {
    $id: 'BillingPeriodView',
    additionalProperties: false,
    examples: [
      {
        supplierId: '01936f0e-1111-7c3d-9e4f-5a6b7c8d9e0f',
        period: '2026-11',
        closed: true,
        closedAt: '2026-12-01T03:00:00.000Z',
        runId: null,
        invoicesIssued: 48211,
        invoicesIssuedAt: '2026-12-01T03:00:41.512Z',
        printBatch: { status: 'ready', invoices: 30112, pages: 30112, bytes: 104857600, readyAt: '2026-12-01T03:12:09.004Z' },
      },
    ],
  },
)

export const runSchemas = [BillingRunSummary, BillingRunView, BillingRunStart, BillingRunPage, BillingPeriodView]
