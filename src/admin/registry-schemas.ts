import { Type, type Static } from 'typebox'
import { DateOnly, Page, Uuid, ref } from '../common/schemas.ts'
import { ServiceKind } from '../suppliers/schemas.ts'

const Amount = Type.String({ pattern: '^-?\\d{1,12}([.,]\\d{1,2})?$' })

const accountFields = {
  address: Type.String({ minLength: 1, maxLength: 500 }),
  holderSurname: Type.String({ minLength: 1, maxLength: 200 }),
  holderGivenNames: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  residentsCount: Type.Integer({ minimum: 0, maximum: 99 }),
  areaM2: Type.Union([Type.String({ pattern: '^\\d{1,8}([.,]\\d{1,2})?$' }), Type.Null()]),
  services: Type.Array(ref(ServiceKind), { uniqueItems: true }),
}

export const AccountCreate = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 32, description: "Normalized with the supplier's format." }),
    ...accountFields,
    holderGivenNames: Type.Optional(accountFields.holderGivenNames),
    residentsCount: Type.Optional(accountFields.residentsCount),
    areaM2: Type.Optional(accountFields.areaM2),
    openingBalance: Type.Optional({ ...Amount, description: 'Debt carried in (negative: paid in advance).' }),
  },
  { $id: 'AccountCreate', additionalProperties: false },
)
export type AccountCreate = Static<typeof AccountCreate>

export const AccountAdminUpdate = Type.Partial(Type.Object(accountFields, { additionalProperties: false }), {
  $id: 'AccountAdminUpdate',
  additionalProperties: false,
  minProperties: 1,
})
export type AccountAdminUpdate = Static<typeof AccountAdminUpdate>

export const AccessCode = Type.Object(
  { accessCode: Type.String({ pattern: '^[A-Z2-9]{8}$', description: 'Printed on the next receipts; the old code no longer links the account.' }) },
  { $id: 'AccessCode', additionalProperties: false, examples: [{ accessCode: 'T4VQ8MKA' }] },
)

export const HolderParams = Type.Object({ accountId: Uuid, userId: Uuid }, { additionalProperties: false })

export const AccountClose = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, description: 'Recorded in the audit log.' }) },
  { $id: 'AccountClose', additionalProperties: false },
)

const meterFields = {
  zones: Type.Integer({ minimum: 1, maximum: 3 }),
  digitCapacity: Type.Integer({ minimum: 3, maximum: 9 }),
  installedAt: Type.Union([DateOnly, Type.Null()]),
  verificationDueAt: Type.Union([DateOnly, Type.Null()]),
}

export const MeterCreate = Type.Object(
  {
    service: ref(ServiceKind),
    serialNumber: Type.String({ minLength: 1, maxLength: 64 }),
    zones: Type.Optional(meterFields.zones),
    digitCapacity: Type.Optional(meterFields.digitCapacity),
    installedAt: Type.Optional(meterFields.installedAt),
    verificationDueAt: Type.Optional(meterFields.verificationDueAt),
  },
  { $id: 'MeterCreate', additionalProperties: false },
)
export type MeterCreate = Static<typeof MeterCreate>

export const MeterUpdate = Type.Partial(Type.Object(meterFields, { additionalProperties: false }), {
  $id: 'MeterUpdate',
  additionalProperties: false,
  minProperties: 1,
})
export type MeterUpdate = Static<typeof MeterUpdate>

export const MeterReplace = Type.Object(
  {
    serialNumber: Type.String({ minLength: 1, maxLength: 64, description: 'The new meter.' }),
    zones: Type.Optional(meterFields.zones),
    digitCapacity: Type.Optional(meterFields.digitCapacity),
    installedAt: DateOnly,
    verificationDueAt: Type.Optional(meterFields.verificationDueAt),
  },
  { $id: 'MeterReplace', additionalProperties: false },
)
export type MeterReplace = Static<typeof MeterReplace>

export const AuditEntry = Type.Object(
  {
    id: Uuid,
    at: Type.String({ format: 'date-time' }),
    actorId: Type.Union([Uuid, Type.Null()]),
    actorRole: Type.String(),
    supplierId: Type.Union([Uuid, Type.Null()]),
    entity: Type.String(),
    entityId: Type.String(),
    action: Type.String(),
    before: Type.Unknown({ description: 'The changed members before the change (null for a creation).' }),
    after: Type.Unknown({ description: 'The changed members after it.' }),
    requestId: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'AuditEntry', additionalProperties: false },
)

export const AuditEntryPage = Page(AuditEntry)

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    supplierId: Type.Optional(Uuid),
    entity: Type.Optional(Type.Enum(['supplier', 'account', 'meter', 'user'])),
    entityId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
)
export type AuditQuery = Static<typeof AuditQuery>

export const registerAdminSchemas = [AccountCreate, AccountAdminUpdate, AccountClose, AccessCode, MeterCreate, MeterUpdate, MeterReplace, AuditEntry, AuditEntryPage]
