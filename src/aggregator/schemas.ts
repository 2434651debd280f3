import { Type, type Static } from 'typebox'
import { API_KEY_SCOPES } from '../access/api-keys.ts'
import { Money, Page, PageQuery, PaymentAmount, Period, Uuid } from '../common/schemas.ts'

const SUPPLIER_ID = '019ad0a1-5e2f-7a10-8c3d-4b5e6f708192'


export const ApiKeyCreate = Type.Object(
  {
    supplierId: Uuid,
    name: Type.String({ minLength: 1, maxLength: 100, description: 'What it is for, for people.' }),
    client: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,31}$', description: 'Who holds it; its payments are the provider bank:<client>.' }),
    scopes: Type.Array(Type.Enum([...API_KEY_SCOPES], { type: 'string' }), { minItems: 1, uniqueItems: true }),
  },
  {
    $id: 'ApiKeyCreate',
    additionalProperties: false,
    examples: [{ supplierId: SUPPLIER_ID, name: 'СберБанк Онлайн: платежи ЖКХ', client: 'sberbank', scopes: ['accounts:lookup', 'payments:write'] }],
  },
)
export type ApiKeyCreate = Static<typeof ApiKeyCreate>

const apiKeyProperties = {
  id: Uuid,
  supplierId: Uuid,
  name: Type.String(),
  client: Type.String(),
  scopes: Type.Array(Type.Enum([...API_KEY_SCOPES], { type: 'string' })),
  prefix: Type.String({ description: 'The first characters of the key.' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'To the minute.' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
}
const apiKeyExample = {
  id: '019ad2b0-1c2d-7e3f-8a4b-5c6d7e8f9a0b',
  supplierId: SUPPLIER_ID,
  name: 'СберБанк Онлайн: платежи ЖКХ',
  client: 'sberbank',
  scopes: ['accounts:lookup', 'payments:write'],
  prefix: 'abk_Qm9yZXhh',
  createdAt: '2026-11-20T08:00:00.000Z',
  lastUsedAt: null,
  revokedAt: null,
}

export const ApiKey = Type.Object(apiKeyProperties, { $id: 'ApiKey', additionalProperties: false, examples: [apiKeyExample] })
export type ApiKey = Static<typeof ApiKey>

export const ApiKeyIssued = Type.Object(
  { ...apiKeyProperties, key: Type.String({ description: 'The key itself: shown this once, never again.' }) },
  { $id: 'ApiKeyIssued', additionalProperties: false, examples: [{ ...apiKeyExample, key: 'abk_Qm9yZXhhbXBsZS1rZXktbm90LXJlYWwtMDEyMzQ1Njc4OWE' }] },
)
export type ApiKeyIssued = Static<typeof ApiKeyIssued>

export const ApiKeyPage = Page(ApiKey)

export const ApiKeyListQuery = Type.Object({ ...PageQuery.properties, supplierId: Type.Optional(Uuid) }, { additionalProperties: false })
export type ApiKeyListQuery = Static<typeof ApiKeyListQuery>

export const LookupQuery = Type.Object(
  {
    supplierId: Uuid,
    accountNumber: Type.String({ minLength: 1, maxLength: 40, description: 'As the payer typed it or as the receipt prints it.', examples: ['12-0012346'] }),
  },
  { additionalProperties: false },
)
export type LookupQuery = Static<typeof LookupQuery>

export const AccountLookup = Type.Object(
  {
    supplierId: Uuid,
    supplierName: Type.String(),
    accountNumber: Type.String(),
    holder: Type.String({ description: 'Masked: the surname’s first and last letters and the initials.' }),
    address: Type.String({ description: 'Masked: the numbers of the house and the flat are hidden.' }),
    amountDue: Money,
    period: Type.Union([Period, Type.Null()], { description: 'The last receipt’s period.' }),
    dueDate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    qrPayload: Type.String({ description: 'The GOST R 56042-2014 payload for the amount due.' }),
  },
  {
    $id: 'AccountLookup',
    additionalProperties: false,
    examples: [
      {
        supplierId: SUPPLIER_ID,
        supplierName: 'МУП г. Новосибирска «Горводоканал»',
        accountNumber: '12-0012346',
        holder: 'С******а А. П.',
        address: 'г. Новосибирск, ул. Ленина, д. *, кв. *',
        amountDue: '2345.67',
        period: '2026-10',
        dueDate: '2026-11-15',
        qrPayload: 'ST00012|Name=МУП «Горводоканал»|PersonalAcc=40702810744050000001|…|TechCode=02',
      },
    ],
  },
)
export type AccountLookup = Static<typeof AccountLookup>

export const BankPaymentReport = Type.Object(
  {
    supplierId: Uuid,
    accountNumber: Type.String({ minLength: 1, maxLength: 40 }),
    amount: PaymentAmount('Rubles, more than zero, at most two decimals.'),
    externalId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7e]+$', description: 'The bank’s own id of the payment: a repeat with it is the same payment.' }),
    paidAt: Type.String({ format: 'date-time', description: 'When the bank took the money.' }),
    method: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'How it was paid (an app, a cash desk, an ATM).' })),
  },
  {
    $id: 'BankPaymentReport',
    additionalProperties: false,
    examples: [{ supplierId: SUPPLIER_ID, accountNumber: '12-0012346', amount: '2345.67', externalId: 'SBOL-20261126-000184467', paidAt: '2026-11-26T09:41:12+07:00', method: 'СберБанк Онлайн' }],
  },
)
export type BankPaymentReport = Static<typeof BankPaymentReport>

export const aggregatorSchemas = [ApiKeyCreate, ApiKey, ApiKeyIssued, ApiKeyPage, AccountLookup, BankPaymentReport]
