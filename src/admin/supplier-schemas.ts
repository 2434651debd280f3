import { Type, type Static } from 'typebox'
import { Uuid, ref } from '../common/schemas.ts'
import { AccountNumberFormat, ServiceKind } from '../suppliers/schemas.ts'

const settings = {
  name: Type.String({ minLength: 3, maxLength: 300 }),
  shortName: Type.String({ minLength: 2, maxLength: 100 }),
  inn: Type.String({ pattern: '^\\d{10}(\\d{2})?$', description: 'Checked with its control digits.' }),
  kpp: Type.Union([Type.String({ pattern: '^\\d{4}[\\dA-Z]{2}\\d{3}$' }), Type.Null()]),
  bankName: Type.String({ minLength: 3, maxLength: 300 }),
  bik: Type.String({ pattern: '^04\\d{7}$' }),
  settlementAccount: Type.String({ pattern: '^\\d{20}$', description: "Checked with the bank's BIK key." }),
  correspondentAccount: Type.String({ pattern: '^301\\d{17}$' }),
  services: Type.Array(ref(ServiceKind), { minItems: 1, uniqueItems: true }),
  accountNumberFormat: ref(AccountNumberFormat),
  readingWindow: Type.Object(
    { startDay: Type.Integer({ minimum: 1, maximum: 31 }), endDay: Type.Integer({ minimum: 1, maximum: 31 }) },
    { additionalProperties: false, description: 'Days of the month, inclusive, supplier local time (Decree No. 354: until the 25th).' },
  ),
  paymentDueDay: Type.Integer({ minimum: 1, maximum: 28, description: 'Day of the following month payment is due (15 by law from 1 March 2026).' }),
  timeZone: Type.String({ minLength: 3, maxLength: 64, examples: ['Asia/Novosibirsk'] }),
}

const LinkProofKind = Type.Enum(['access_code', 'premises', 'last_invoice_amount'], {
  type: 'string',
  description:
    'What a person proves besides the holder’s surname to link an account: the access code printed on the receipt (default), ' +
    'the premises number of the address, or the total of the last receipt.',
})

export const SupplierCreate = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,39}$', description: 'A stable short key; cannot change.' }),
    ...settings,
    linkProof: Type.Optional(LinkProofKind),
  },
  { $id: 'SupplierCreate', additionalProperties: false },
)
export type SupplierCreate = Static<typeof SupplierCreate>

export const SupplierUpdate = Type.Partial(Type.Object({ ...settings, linkProof: LinkProofKind }, { additionalProperties: false }), {
  $id: 'SupplierUpdate',
  additionalProperties: false,
  minProperties: 1,
})
export type SupplierUpdate = Static<typeof SupplierUpdate>

export const SupplierDetails = Type.Object(
  { id: Uuid, code: Type.String(), ...settings, linkProof: LinkProofKind, createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }) },
  { $id: 'SupplierDetails', additionalProperties: false },
)
export type SupplierDetails = Static<typeof SupplierDetails>

export const supplierAdminSchemas = [SupplierCreate, SupplierUpdate, SupplierDetails]
