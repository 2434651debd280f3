import { Type, type Static } from 'typebox'
import { DateOnly, Decimal, Page, Uuid, ref } from '../common/schemas.ts'
import { ServiceKind } from '../suppliers/schemas.ts'

const ServiceName = ref(ServiceKind)

export const ZoneName = Type.Enum(['T1', 'T2', 'T3'], { type: 'string', description: 'T1 for single-rate; T1/T2/T3 for multi-zone electricity.' })
export const TariffBasisName = Type.Enum(['metered', 'per_resident', 'per_area', 'fixed'], {
  type: 'string',
  description: 'What the price is per: a metered unit, a resident, a square metre, or a monthly fee.',
})
const Price = Type.String({ pattern: '^\\d{1,8}(\\.\\d{1,4})?$', description: 'Rubles per unit, up to 4 decimals.', examples: ['52.4500'] })

/** What a version says, for staff and customers alike. */
const versionFields = {
  service: ServiceName,
  zone: ZoneName,
  basis: TariffBasisName,
  price: Decimal,
  unit: Type.String(),
  effectiveFrom: DateOnly,
  effectiveTo: Type.Union([DateOnly, Type.Null()], { description: 'The last day in force; null: until further notice.' }),
}

export const TariffView = Type.Object(
  {
    id: Uuid,
    supplierId: Uuid,
    ...versionFields,
    inUse: Type.Boolean({ description: 'A charge line was priced by this version: its price and unit can no longer change.' }),
  },
  {
    $id: 'Tariff',
    additionalProperties: false,
    examples: [
      {
        id: '01936f0e-8a0b-7c3d-9e4f-5a6b7c8d9e0f',
        supplierId: '01936f0e-1111-7c3d-9e4f-5a6b7c8d9e0f',
        service: 'cold_water',
        zone: 'T1',
        basis: 'metered',
        price: '52.4500',
        unit: 'м³',
        effectiveFrom: '2026-07-01',
        effectiveTo: null,
        inUse: true,
      },
    ],
  },
)
export type TariffView = Static<typeof TariffView>

export const TariffCreate = Type.Object(
  {
    supplierId: Uuid,
    service: ServiceName,
    zone: Type.Optional(ZoneName),
    basis: TariffBasisName,
    price: Price,
    unit: Type.String({ minLength: 1, maxLength: 20, examples: ['м³'] }),
    effectiveFrom: DateOnly,
    effectiveTo: Type.Optional(Type.Union([DateOnly, Type.Null()])),
  },
  {
    $id: 'TariffCreate',
    additionalProperties: false,
    examples: [{ supplierId: '01936f0e-1111-7c3d-9e4f-5a6b7c8d9e0f', service: 'cold_water', basis: 'metered', price: '54.1000', unit: 'м³', effectiveFrom: '2027-01-01' }],
  },
)
export type TariffCreate = Static<typeof TariffCreate>

export const TariffUpdate = Type.Object(
  {
    price: Type.Optional(Price),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    effectiveTo: Type.Optional(Type.Union([DateOnly, Type.Null()], { description: 'End the version (the last day in force), or null to leave it open.' })),
  },
  {
    $id: 'TariffUpdate',
    additionalProperties: false,
    minProperties: 1,
    description: 'A version that priced a charge line may only be ended (`effectiveTo`), and not before the last period it priced.',
    examples: [{ effectiveTo: '2026-12-31' }],
  },
)
export type TariffUpdate = Static<typeof TariffUpdate>

export const TariffListQuery = Type.Object(
  {
    supplierId: Uuid,
    service: Type.Optional(ServiceName),
    at: Type.Optional(Type.String({ format: 'date', description: 'Only the versions in force on this day (YYYY-MM-DD).' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
)
export type TariffListQuery = Static<typeof TariffListQuery>

export const TariffPage = Page(TariffView)

export const AccountTariff = Type.Object(
  {
    ...versionFields,
    status: Type.Enum(['in_force', 'upcoming'], { type: 'string' }),
  },
  { $id: 'AccountTariff', additionalProperties: false },
)

export const AccountTariffs = Type.Object(
  { today: DateOnly, items: Type.Array(ref(AccountTariff)) },
  {
    $id: 'AccountTariffs',
    additionalProperties: false,
    description: "The tariffs of the account's services in force today (in the supplier's time zone) and the upcoming ones.",
    examples: [
      {
        today: '2026-11-22',
        items: [
          { service: 'cold_water', zone: 'T1', basis: 'metered', price: '52.4500', unit: 'м³', effectiveFrom: '2026-07-01', effectiveTo: '2026-12-31', status: 'in_force' },
          { service: 'cold_water', zone: 'T1', basis: 'metered', price: '54.1000', unit: 'м³', effectiveFrom: '2027-01-01', effectiveTo: null, status: 'upcoming' },
        ],
      },
    ],
  },
)

export const tariffSchemas = [TariffView, TariffCreate, TariffUpdate, TariffPage, AccountTariff, AccountTariffs]
