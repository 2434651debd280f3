import { Type, type Static } from 'typebox'
import { Money, PageQuery, Uuid } from '../common/schemas.ts'

const ACCOUNT_ID = '019ad0a2-11aa-7b20-9c3d-4b5e6f708193'
const SUPPLIER_ID = '019ad0a1-5e2f-7a10-8c3d-4b5e6f708192'

const accountProperties = {
  id: Uuid,
  supplierId: Uuid,
  number: Type.String(),
  holder: Type.String({ description: 'Surname and given names as in the register.' }),
  address: Type.String(),
  status: Type.Enum(['active', 'closed'], { type: 'string' }),
  linkedLogins: Type.Integer({ minimum: 0 }),
}
const accountExample = {
  id: ACCOUNT_ID,
  supplierId: SUPPLIER_ID,
  number: '12-0012346',
  holder: 'Семёнова Анна Петровна',
  address: 'г. Новосибирск, ул. Ленина, д. 5, кв. 12',
  status: 'active',
  linkedLogins: 1,
}

export const AccountHit = Type.Object(accountProperties, { $id: 'AdminAccountHit', additionalProperties: false, examples: [accountExample] })
export type AccountHit = Static<typeof AccountHit>

export const AccountSearchQuery = Type.Object(
  {
    supplierId: Type.Optional(Uuid),
    q: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The beginning of an account number as the register writes it, or at least 3 letters of any part of the holder’s surname or the address.',
      examples: ['12-00123', 'Семёнов', 'Ленина 5'],
    }),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
)
export type AccountSearchQuery = Static<typeof AccountSearchQuery>

const Instant = Type.String({ format: 'date-time' })

export const AccountCard = Type.Object(
  {
    account: Type.Object(
      {
        ...accountProperties,
        residentsCount: Type.Integer(),
        areaM2: Type.Union([Type.String(), Type.Null()]),
        receiptDelivery: Type.Enum(['paper', 'electronic'], { type: 'string' }),
        balance: Money,
      },
      { additionalProperties: false },
    ),
    logins: Type.Array(
      Type.Object(
        { userId: Uuid, name: Type.String(), role: Type.Enum(['customer', 'organization'], { type: 'string' }), email: Type.Union([Type.String(), Type.Null()]), phone: Type.Union([Type.String(), Type.Null()]) },
        { additionalProperties: false },
      ),
    ),
    readings: Type.Array(
      Type.Object({ id: Uuid, meterSerialNumber: Type.String(), period: Type.String(), status: Type.String(), t1: Type.String(), takenAt: Instant }, { additionalProperties: false }),
      { description: 'The latest 10.' },
    ),
    invoices: Type.Array(Type.Object({ id: Uuid, period: Type.String(), number: Type.Integer(), totalDue: Money, dueDate: Type.String({ format: 'date' }) }, { additionalProperties: false }), {
      description: 'The latest 6.',
    }),
    payments: Type.Array(Type.Object({ id: Uuid, amount: Money, status: Type.String(), provider: Type.String(), paidAt: Instant }, { additionalProperties: false }), {
      description: 'The latest 10.',
    }),
    tickets: Type.Array(
      Type.Object({ id: Uuid, number: Type.Integer(), subject: Type.String(), status: Type.String(), createdAt: Instant }, { additionalProperties: false }),
      { description: 'The latest 10.' },
    ),
  },
  {
    $id: 'AdminAccountCard',
    additionalProperties: false,
    examples: [
      {
        account: { ...accountExample, residentsCount: 2, areaM2: '54.30', receiptDelivery: 'electronic', balance: '-1250.40' },
        logins: [{ userId: '019ad0b0-0a1b-7c2d-8e3f-4a5b6c7d8e9f', name: 'Анна Семёнова', role: 'customer', email: 'anna@example.ru', phone: null }],
        readings: [{ id: '019af3a0-5b6c-7d8e-9f01-2a3b4c5d6e7f', meterSerialNumber: 'ВК-0421337', period: '2026-11', status: 'billed', t1: '412.350', takenAt: '2026-11-20T06:12:44.000Z' }],
        invoices: [{ id: '019af3c0-3d4e-7f50-8a6b-7c8d9e0f1a2b', period: '2026-11', number: 10482, totalDue: '2450.37', dueDate: '2026-12-15' }],
        payments: [{ id: '019af3b1-2c3d-7e4f-8a5b-6c7d8e9f0a1b', amount: '1200.00', status: 'succeeded', provider: 'bank:sberbank', paidAt: '2026-11-10T05:00:00.000Z' }],
        tickets: [{ id: '019af400-1a2b-7c3d-8e4f-5a6b7c8d9e0f', number: 418, subject: 'Неверный расчёт за ноябрь', status: 'in_progress', createdAt: '2026-12-01T08:00:00.000Z' }],
      },
    ],
  },
)
export type AccountCard = Static<typeof AccountCard>

export const SupplierListItem = Type.Object(
  { id: Uuid, code: Type.String(), name: Type.String(), inn: Type.String(), timeZone: Type.String(), accounts: Type.Integer({ minimum: 0 }) },
  {
    $id: 'AdminSupplierListItem',
    additionalProperties: false,
    examples: [{ id: SUPPLIER_ID, code: 'gorvodokanal', name: 'МУП г. Новосибирска «Горводоканал»', inn: '5411100875', timeZone: 'Asia/Novosibirsk', accounts: 412_380 }],
  },
)
