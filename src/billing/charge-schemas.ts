import { Type } from 'typebox'
import { Money, Period, Uuid, ref } from '../common/schemas.ts'
import { ServiceKind } from '../suppliers/schemas.ts'

export const ChargeLine = Type.Object(
  {
    service: Type.Union([ref(ServiceKind), Type.Null()], { description: 'Null on penalty lines: a penalty is on the account, not on a service.' }),
    kind: Type.Enum(['metered', 'average', 'normative', 'recalculation', 'per_resident', 'per_area', 'fixed', 'penalty'], {
      type: 'string',
      description:
        'How the quantity was found: by the reading, by the average, by the normative, a recalculation when readings returned, by the residents or the area (a tariff per resident or per m²), a fixed monthly fee, or a penalty for late payment.',
    }),
    meterId: Type.Union([Uuid, Type.Null()]),
    zone: Type.Union([Type.String(), Type.Null()]),
    quantity: Type.Union([Type.String(), Type.Null()], { description: 'Units of the service (thousandths); null on penalty lines.' }),
    unit: Type.Union([Type.String(), Type.Null()]),
    tariff: Type.Union([Type.String(), Type.Null()], { description: 'Rubles per unit; null on penalty lines.' }),
    coefficient: Type.Union([Type.String(), Type.Null()], { description: 'The increasing coefficient applied, if any.' }),
    amount: Money,
    source: Type.Enum(['computed', 'imported'], { type: 'string' }),
    basis: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description:
        'What the line rests on. `rule`: reading, no_reading_average, no_reading_normative, verification_expired_average, verification_expired_normative, no_meter, reading_after_estimates, heating_per_area, wastewater_on_water_volumes, per_resident, per_area, fixed_fee, housing_code_155_14 (penalties: the day of the calculation, the penalty owed on it, what earlier periods charged, and each overdue part: its period, due date, amount, the day paid or null, days late, the key rate and its penalty); with the figures used (residents, normative, average and its months, periods without a reading, the verification date).',
    }),
  },
  { $id: 'ChargeLine', additionalProperties: false },
)

export const AccountCharges = Type.Object(
  {
    from: Period,
    to: Period,
    periods: Type.Array(
      Type.Object({ period: Period, amount: Money, lines: Type.Array(ref(ChargeLine)) }, { additionalProperties: false }),
      { description: 'Periods with charges, oldest first.' },
    ),
  },
  {
    $id: 'AccountCharges',
    additionalProperties: false,
    examples: [
      {
        from: '2026-11',
        to: '2026-11',
        periods: [
          {
            period: '2026-11',
            amount: '1143.66',
            lines: [
              {
                service: 'cold_water',
                kind: 'normative',
                meterId: null,
                zone: 'T1',
                quantity: '13.870',
                unit: 'м³',
                tariff: '52.4500',
                coefficient: '1.000',
                amount: '727.48',
                source: 'computed',
                basis: { rule: 'no_reading_normative', residents: 2, normative: '6.935000', periodsWithoutReading: 4 },
              },
              {
                service: 'wastewater',
                kind: 'normative',
                meterId: null,
                zone: 'T1',
                quantity: '13.870',
                unit: 'м³',
                tariff: '30.0000',
                coefficient: '1.000',
                amount: '416.10',
                source: 'computed',
                basis: { rule: 'wastewater_on_water_volumes' },
              },
            ],
          },
        ],
      },
    ],
  },
)

export const ChargeQuery = Type.Object({ from: Type.Optional(Period), to: Type.Optional(Period) }, { additionalProperties: false })

export const chargeSchemas = [ChargeLine, AccountCharges]
