import { Type, type Static } from 'typebox'
import { Page, Uuid, ref } from '../common/schemas.ts'

export const ServiceKind = Type.Enum(['heat', 'hot_water', 'cold_water', 'wastewater', 'gas', 'electricity'], {
  $id: 'ServiceKind',
  type: 'string',
  description: 'A utility service.',
})

export const AccountNumberFormat = Type.Object(
  {
    pattern: Type.String({ description: 'Regular expression of the full form, as printed on receipts.' }),
    example: Type.String({ examples: ['11-0007785'] }),
    shortForm: Type.Union(
      [
        Type.Object(
          {
            pattern: Type.String({ description: 'What customers may type instead, e.g. ^\\d{1,7}$.' }),
            prefix: Type.String({ description: 'Prepended after zero padding, e.g. "11-".' }),
            padLength: Type.Integer({ minimum: 1 }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'An abbreviated form the server expands: `7785` → `11-0007785`. Null when there is none.' },
    ),
  },
  { $id: 'AccountNumberFormat', additionalProperties: false },
)

export const PublicSupplier = Type.Object(
  {
    id: Uuid,
    code: Type.String({ description: 'Stable short key of the supplier.' }),
    name: Type.String(),
    shortName: Type.String(),
    services: Type.Array(ref(ServiceKind)),
    accountNumberFormat: ref(AccountNumberFormat),
    readingWindow: Type.Object(
      {
        startDay: Type.Integer({ minimum: 1, maximum: 31 }),
        endDay: Type.Integer({ minimum: 1, maximum: 31 }),
      },
      { additionalProperties: false, description: 'Days of the month (inclusive, supplier local time) when readings are taken.' },
    ),
    timeZone: Type.String({ description: 'IANA time zone of the supplier.', examples: ['Asia/Novosibirsk'] }),
    linkProof: Type.Object(
      {
        kind: Type.Enum(['access_code', 'premises', 'last_invoice_amount'], { type: 'string' }),
        label: Type.String({ examples: ['Код доступа'] }),
        hint: Type.String({ examples: ['Восемь знаков из строки «Код для личного кабинета» на квитанции.'] }),
      },
      {
        additionalProperties: false,
        description: 'What registration and linking ask besides the number and the surname: send the answer as `proof`.',
      },
    ),
  },
  { $id: 'PublicSupplier', additionalProperties: false },
)
export type PublicSupplier = Static<typeof PublicSupplier>

export const PublicSupplierPage = Page(PublicSupplier)

export const supplierSchemas = [ServiceKind, AccountNumberFormat, PublicSupplier, PublicSupplierPage]
