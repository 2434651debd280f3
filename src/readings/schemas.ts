import { Type, type Static } from 'typebox'
import { DateOnly, Money, Page, Period, Uuid, ref } from '../common/schemas.ts'
import { ZoneName } from '../billing/tariff-schemas.ts'
import { ServiceKind } from '../suppliers/schemas.ts'

const Quantity = Type.String({ pattern: '^\\d{1,12}([.,]\\d{1,3})?$', description: 'A counter value, at most 3 decimals.', examples: ['123.450'] })

export const ReadingValues = Type.Object(
  { T1: Quantity, T2: Type.Optional(Quantity), T3: Type.Optional(Quantity) },
  { $id: 'ReadingValues', additionalProperties: false, description: 'One value per tariff zone of the meter: T1, or T1/T2(/T3).' },
)

export const ReadingSubmission = Type.Object(
  {
    meterId: Uuid,
    values: ref(ReadingValues),
    takenAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the meter was read (default: now); never in the future.' })),
  },
  { $id: 'ReadingSubmission', additionalProperties: false },
)
export type ReadingSubmission = Static<typeof ReadingSubmission>

export const ReadingCorrection = Type.Object({ values: ref(ReadingValues) }, { $id: 'ReadingCorrection', additionalProperties: false })

export const ReadingView = Type.Object(
  {
    id: Uuid,
    meterId: Uuid,
    serialNumber: Type.String(),
    service: ref(ServiceKind),
    period: { ...Period, description: 'The billing period the reading counts for.' },
    values: ref(ReadingValues),
    consumption: Type.Union([ref(ReadingValues), Type.Null()], { description: 'Since the previous accepted reading; null for the first one.' }),
    takenAt: Type.String({ format: 'date-time' }),
    source: Type.Enum(['customer', 'operator', 'import', 'aggregator']),
    status: Type.Enum(['accepted', 'cancelled', 'superseded', 'billed']),
    flags: Type.Array(Type.Enum(['suspicious', 'rolled_over', 'outside_window'])),
    supersedes: Type.Union([Uuid, Type.Null()], { description: 'The earlier version this one corrected.' }),
    submittedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ReadingView', additionalProperties: false },
)
export type ReadingView = Static<typeof ReadingView>

export const ReadingAccepted = Type.Object(
  {
    reading: ref(ReadingView),
    period: Period,
    outsideWindow: Type.Boolean({ description: 'Taken outside the reading window, for the next period (where the supplier allows).' }),
    window: Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }, { additionalProperties: false }),
    detail: Type.String(),
  },
  { $id: 'ReadingAccepted', additionalProperties: false },
)
export type ReadingAccepted = Static<typeof ReadingAccepted>

export const ReadingPreview = Type.Object(
  {
    period: Period,
    outsideWindow: Type.Boolean(),
    consumption: Type.Union([ref(ReadingValues), Type.Null()]),
    flags: Type.Array(Type.Enum(['suspicious', 'rolled_over', 'outside_window'])),
    cost: Type.Union(
      [
        Type.Object(
          {
            amount: Money,
            lines: Type.Array(
              Type.Object(
                {
                  service: Type.String({ examples: ['cold_water'] }),
                  zone: ZoneName,
                  from: DateOnly,
                  to: DateOnly,
                  quantity: Type.String({ description: 'The share of the consumption priced at this tariff (pro rata by days when the tariff changes mid-month).' }),
                  price: Type.String(),
                  amount: Money,
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      {
        description:
          "What the consumption costs at the tariffs of its period: the meter's service, and wastewater on cold and hot water where the account has it. An estimate: the charge comes with the billing run. Null when no tariff covers the period.",
      },
    ),
  },
  {
    $id: 'ReadingPreview',
    additionalProperties: false,
    description: 'What the reading would give; nothing is saved.',
    examples: [
      {
        period: '2026-11',
        outsideWindow: false,
        consumption: { T1: '7.200' },
        flags: [],
        cost: {
          amount: '682.06',
          lines: [
            { service: 'cold_water', zone: 'T1', from: '2026-11-01', to: '2026-11-30', quantity: '7.200', price: '52.4500', amount: '377.64' },
            { service: 'wastewater', zone: 'T1', from: '2026-11-01', to: '2026-11-30', quantity: '7.200', price: '42.2800', amount: '304.42' },
          ],
        },
      },
    ],
  },
)

export const ReadingWithHistory = Type.Object(
  { reading: ref(ReadingView), versions: Type.Array(ref(ReadingView), { description: 'Every version, oldest first.' }) },
  { $id: 'ReadingWithHistory', additionalProperties: false },
)

export const ReadingViewPage = Page(ReadingView)

export const ReadingListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    meterId: Type.Optional(Uuid),
    from: Type.Optional(Period),
    to: Type.Optional(Period),
    status: Type.Optional(Type.Enum(['accepted', 'cancelled', 'superseded', 'billed'])),
  },
  { additionalProperties: false },
)
export type ReadingListQuery = Static<typeof ReadingListQuery>

export const BulkReadings = Type.Object(
  {
    readings: Type.Array(
      Type.Object({ meterId: Uuid, values: ref(ReadingValues), takenAt: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 5000 },
    ),
  },
  { $id: 'BulkReadings', additionalProperties: false },
)

export const BulkReadingReport = Type.Object(
  {
    accepted: Type.Integer(),
    rejected: Type.Integer(),
    results: Type.Array(
      Type.Object(
        {
          line: Type.Integer({ description: 'Position in `readings`, from 1.' }),
          meterId: Type.Union([Uuid, Type.Null()], { description: 'Null when the row named no meter of yours.' }),
          status: Type.Enum(['accepted', 'rejected']),
          readingId: Type.Union([Uuid, Type.Null()]),
          period: Type.Union([Period, Type.Null()]),
          code: Type.Union([Type.String(), Type.Null()]),
          detail: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'BulkReadingReport', additionalProperties: false },
)
export type BulkReadingReport = Static<typeof BulkReadingReport>

export const readingSchemas = [ReadingValues, ReadingSubmission, ReadingCorrection, ReadingView, ReadingAccepted, ReadingPreview, ReadingWithHistory, ReadingViewPage, BulkReadings, BulkReadingReport]
