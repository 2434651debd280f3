import { Type, type Static } from 'typebox'
import { Page, Uuid, ref } from '../common/schemas.ts'
import { RoleName } from '../me/schemas.ts'

export const ManagedUser = Type.Object(
  {
    id: Uuid,
    role: ref(RoleName),
    supplierId: Type.Union([Uuid, Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    surname: Type.String({ description: 'For an organization, its name.' }),
    givenNames: Type.Union([Type.String(), Type.Null()]),
    orgCode: Type.Union([Type.String(), Type.Null()]),
    mustChangePassword: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ManagedUser', additionalProperties: false },
)
export type ManagedUser = Static<typeof ManagedUser>

export const ManagedUserPage = Page(ManagedUser)

export const IssuedCredentials = Type.Object(
  {
    user: ref(ManagedUser),
    login: Type.String({ description: 'What the new user logs in with (organization code or email).' }),
    temporaryPassword: Type.String({ description: 'Shown once; the user must change it at first login.' }),
  },
  { $id: 'IssuedCredentials', additionalProperties: false },
)

export const OperatorCreate = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    surname: Type.String({ minLength: 1, maxLength: 100 }),
    givenNames: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { $id: 'OperatorCreate', additionalProperties: false },
)
export type OperatorCreate = Static<typeof OperatorCreate>

export const OrganizationCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'The organization, e.g. ООО «УК Уютный дом».' }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    phone: Type.Optional(Type.String({ minLength: 5, maxLength: 32 })),
  },
  { $id: 'OrganizationCreate', additionalProperties: false },
)
export type OrganizationCreate = Static<typeof OrganizationCreate>

export const adminSchemas = [ManagedUser, ManagedUserPage, IssuedCredentials, OperatorCreate, OrganizationCreate]
