import { Type, type Static } from 'typebox'
import { Uuid } from '../common/schemas.ts'

const Phone = Type.String({ pattern: '^\\+?[0-9 ()-]{5,25}$', description: 'As people dial it: +7 (383) 210-00-00.' })

const officeProperties = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  address: Type.String({ minLength: 1, maxLength: 500 }),
  hours: Type.String({ minLength: 1, maxLength: 500, description: 'Opening hours as people read them.' }),
  phones: Type.Array(Phone, { maxItems: 10 }),
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  longitude: Type.Number({ minimum: -180, maximum: 180 }),
}

const officeExample = {
  name: 'Абонентский отдел, Центральный район',
  address: 'г. Новосибирск, ул. Ленина, д. 12',
  hours: 'пн–чт 08:00–17:00, пт 08:00–16:00, обед 12:00–12:45',
  phones: ['+7 (383) 210-00-00'],
  latitude: 55.030204,
  longitude: 82.92043,
}

export const OfficesInput = Type.Object(
  { items: Type.Array(Type.Object(officeProperties, { additionalProperties: false }), { maxItems: 500 }) },
  { $id: 'SupportOfficesInput', additionalProperties: false, description: 'The whole list, in the order to show.', examples: [{ items: [officeExample] }] },
)
export type OfficesInput = Static<typeof OfficesInput>

export const Office = Type.Object(
  { id: Uuid, ...officeProperties, distanceKm: Type.Union([Type.Number(), Type.Null()], { description: 'From ?near=, to 0.1 km; null without it.' }) },
  { $id: 'SupportOffice', additionalProperties: false, examples: [{ id: '019af500-0a1b-7c2d-8e3f-4a5b6c7d8e9f', ...officeExample, distanceKm: 1.4 }] },
)
export const OfficeList = Type.Object({ items: Type.Array(Office) }, { $id: 'SupportOfficeList', additionalProperties: false })

export const OfficeQuery = Type.Object(
  { near: Type.Optional(Type.String({ pattern: '^-?\\d{1,2}(\\.\\d{1,8})?,-?\\d{1,3}(\\.\\d{1,8})?$', description: 'latitude,longitude: nearest first.', examples: ['55.0302,82.9204'] })) },
  { additionalProperties: false },
)

const Audience = Type.Enum(['individuals', 'organizations', 'emergency'], { type: 'string', description: 'Who the contact is for.' })
const contactProperties = {
  audience: Audience,
  label: Type.String({ minLength: 1, maxLength: 200 }),
  phone: Type.Union([Phone, Type.Null()]),
  email: Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()]),
}
const contactExample = { audience: 'emergency', label: 'Аварийно-диспетчерская служба, круглосуточно', phone: '+7 (383) 230-00-03', email: null }

export const ContactsInput = Type.Object(
  { items: Type.Array(Type.Object(contactProperties, { additionalProperties: false }), { maxItems: 200 }) },
  { $id: 'SupportContactsInput', additionalProperties: false, description: 'The whole list; each with a phone, a mail address or both.', examples: [{ items: [contactExample] }] },
)
export type ContactsInput = Static<typeof ContactsInput>

export const ContactList = Type.Object(
  { items: Type.Array(Type.Object({ id: Uuid, ...contactProperties }, { additionalProperties: false })) },
  { $id: 'SupportContactList', additionalProperties: false, examples: [{ items: [{ id: '019af501-0a1b-7c2d-8e3f-4a5b6c7d8e9f', ...contactExample }] }] },
)

const faqProperties = {
  topic: Type.String({ minLength: 1, maxLength: 200 }),
  question: Type.String({ minLength: 1, maxLength: 1000 }),
  answer: Type.String({ minLength: 1, maxLength: 10_000 }),
}
const faqExample = {
  topic: 'Показания счётчиков',
  question: 'До какого числа передавать показания?',
  answer: 'С 15 по 25 число каждого месяца: в личном кабинете, в мобильном приложении или по телефону.',
}

export const FaqInput = Type.Object(
  { items: Type.Array(Type.Object(faqProperties, { additionalProperties: false }), { maxItems: 1000 }) },
  { $id: 'FaqInput', additionalProperties: false, description: 'The whole list, in the order to show.', examples: [{ items: [faqExample] }] },
)
export type FaqInput = Static<typeof FaqInput>

export const FaqList = Type.Object(
  { items: Type.Array(Type.Object({ id: Uuid, ...faqProperties }, { additionalProperties: false })) },
  { $id: 'FaqList', additionalProperties: false, examples: [{ items: [{ id: '019af502-0a1b-7c2d-8e3f-4a5b6c7d8e9f', ...faqExample }] }] },
)

export const FaqQuery = Type.Object({ topic: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false })
