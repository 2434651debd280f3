import { Type, type Static } from 'typebox'
import { DateOnly, Decimal, Page, Uuid, ref } from '../common/schemas.ts'
import { ServiceKind } from '../suppliers/schemas.ts'

const dates = {
  effectiveFrom: DateOnly,
  effectiveTo: Type.Union([DateOnly, Type.Null()], { description: 'The last day in force; null: until further notice.' }),
}
const inForce = Type.Boolean({ description: 'In force already (from today on): its figures can no longer change, only its end.' })
const NormativeBasisName = Type.Enum(['per_resident', 'per_area'], { type: 'string', description: 'Per resident per month, or per m² per month (heating).' })
const Quantity = Type.String({ pattern: '^\\d{1,6}(\\.\\d{1,6})?$', description: 'Units per resident (or m²) per month, up to 6 decimals.', examples: ['6.935'] })
const CoefficientValue = Type.String({ pattern: '^\\d{1,3}(\\.\\d{1,3})?$', description: 'At least 1, up to 3 decimals.', examples: ['1.5'] })

export const NormativeView = Type.Object(
  { id: Uuid, supplierId: Uuid, service: ref(ServiceKind), basis: NormativeBasisName, quantity: Decimal, unit: Type.String(), ...dates, inForce },
  {
    $id: 'Normative',
    additionalProperties: false,
    examples: [
      { id: '01936f0e-2222-7c3d-9e4f-5a6b7c8d9e0f', supplierId: '01936f0e-1111-7c3d-9e4f-5a6b7c8d9e0f', service: 'cold_water', basis: 'per_resident', quantity: '6.935', unit: 'м³', effectiveFrom: '2026-01-01', effectiveTo: null, inForce: true },
    ],
  },
)

export const NormativeCreate = Type.Object(
  { supplierId: Uuid, service: ref(ServiceKind), basis: NormativeBasisName, quantity: Quantity, unit: Type.String({ minLength: 1, maxLength: 20 }), effectiveFrom: DateOnly, effectiveTo: Type.Optional(dates.effectiveTo) },
  {
    $id: 'NormativeCreate',
    additionalProperties: false,
    examples: [{ supplierId: '01936f0e-1111-7c3d-9e4f-5a6b7c8d9e0f', service: 'cold_water', basis: 'per_resident', quantity: '6.935', unit: 'м³', effectiveFrom: '2027-01-01' }],
  },
)
export type NormativeCreate = Static<typeof NormativeCreate>

export const NormativeUpdate = Type.Object(
  { quantity: Type.Optional(Quantity), unit: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })), effectiveTo: Type.Optional(dates.effectiveTo) },
  { $id: 'NormativeUpdate', additionalProperties: false, minProperties: 1, examples: [{ effectiveTo: '2026-12-31' }] },
)

export const CoefficientView = Type.Object(
  { id: Uuid, service: ref(ServiceKind), value: Decimal, source: Type.Union([Type.String(), Type.Null()]), ...dates, inForce },
  {
    $id: 'IncreasingCoefficient',
    additionalProperties: false,
    examples: [{ id: '01936f0e-3333-7c3d-9e4f-5a6b7c8d9e0f', service: 'cold_water', value: '3.000', source: 'Decree No. 1871 of 25.11.2025', effectiveFrom: '2025-12-06', effectiveTo: null, inForce: true }],
  },
)

export const CoefficientCreate = Type.Object(
  { service: ref(ServiceKind), value: CoefficientValue, source: Type.Optional(Type.String({ maxLength: 200 })), effectiveFrom: DateOnly, effectiveTo: Type.Optional(dates.effectiveTo) },
  { $id: 'IncreasingCoefficientCreate', additionalProperties: false, examples: [{ service: 'hot_water', value: '1.5', source: 'Decree 354 item 59 a', effectiveFrom: '2027-01-01' }] },
)

export const CoefficientUpdate = Type.Object(
  { value: Type.Optional(CoefficientValue), source: Type.Optional(Type.String({ maxLength: 200 })), effectiveTo: Type.Optional(dates.effectiveTo) },
  { $id: 'IncreasingCoefficientUpdate', additionalProperties: false, minProperties: 1, examples: [{ effectiveTo: '2026-12-31' }] },
)

export const KeyRateView = Type.Object(
  { id: Uuid, effectiveFrom: DateOnly, percent: Decimal, inForce },
  { $id: 'KeyRate', additionalProperties: false, examples: [{ id: '01936f0e-4444-7c3d-9e4f-5a6b7c8d9e0f', effectiveFrom: '2025-01-01', percent: '9.50', inForce: true }] },
)
export const KeyRateList = Type.Object({ items: Type.Array(ref(KeyRateView)) }, { $id: 'KeyRateList', additionalProperties: false, description: 'Newest first; each in force until the next.' })
export const KeyRateCreate = Type.Object(
  { effectiveFrom: DateOnly, percent: Type.String({ pattern: '^\\d{1,2}(\\.\\d{1,2})?$', description: 'Percent per year.', examples: ['16.5'] }) },
  { $id: 'KeyRateCreate', additionalProperties: false, examples: [{ effectiveFrom: '2026-12-22', percent: '16.5' }] },
)

export const ReferenceListQuery = Type.Object(
  {
    supplierId: Type.Optional(Uuid),
    service: Type.Optional(ref(ServiceKind)),
    at: Type.Optional(Type.String({ format: 'date', description: 'Only the versions in force on this day (YYYY-MM-DD).' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
)

export const NormativePage = Page(NormativeView)
export const CoefficientPage = Page(CoefficientView)

export const referenceSchemas = [NormativeView, NormativeCreate, NormativeUpdate, NormativePage, CoefficientView, CoefficientCreate, CoefficientUpdate, CoefficientPage, KeyRateView, KeyRateList, KeyRateCreate]
