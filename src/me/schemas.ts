import { Type, type Static } from 'typebox'
import { Page, Uuid, ref } from '../common/schemas.ts'

export const RoleName = Type.Enum(['customer', 'organization', 'operator', 'admin'], { $id: 'Role' })

const Notifications = Type.Object(
  {
    email: Type.Boolean({ description: 'Service mail: receipts, replies to tickets.' }),
    readingWindow: Type.Boolean({ description: 'A reminder when the reading window opens.' }),
    newLogin: Type.Boolean({ description: 'A notice of each login from a new device.' }),
    readingAccepted: Type.Boolean({ description: 'A mail confirming each accepted reading (off unless asked for: the answer to the submission confirms it).' }),
  },
  { additionalProperties: false },
)

export const Me = Type.Object(
  {
    id: Uuid,
    role: Type.Enum(['customer', 'organization', 'operator', 'admin']),
    email: Type.Union([Type.String(), Type.Null()]),
    emailConfirmed: Type.Boolean(),
    pendingEmail: Type.Union([Type.String(), Type.Null()], { description: 'A new address awaiting confirmation.' }),
    phone: Type.Union([Type.String(), Type.Null()]),
    phoneVerified: Type.Boolean({
      description: 'Whether the phone was proven by a code sent to it. An unproven number is kept for contact only and never logs in.',
    }),
    surname: Type.String({ description: 'For an organization, its name.' }),
    givenNames: Type.Union([Type.String(), Type.Null()]),
    orgCode: Type.Union([Type.String(), Type.Null()], { description: "An organization's login code." }),
    supplierId: Type.Union([Uuid, Type.Null()], { description: 'The supplier of an operator or an organization.' }),
    notifications: Notifications,
    mustChangePassword: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Me', additionalProperties: false },
)
export type Me = Static<typeof Me>

export const MeUpdate = Type.Object(
  {
    surname: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    givenNames: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    phone: Type.Optional(Type.Union([Type.String({ minLength: 5, maxLength: 32 }), Type.Null()])),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: 'Takes effect once the new address is confirmed.' })),
    notifications: Type.Optional(Type.Partial(Notifications, { additionalProperties: false })),
  },
  {
    $id: 'MeUpdate',
    additionalProperties: false,
    minProperties: 1,
    description: 'Only these members are writable; roles, ids and confirmation state are refused.',
  },
)
export type MeUpdate = Static<typeof MeUpdate>

export const SessionInfo = Type.Object(
  {
    id: Uuid,
    current: Type.Boolean({ description: 'The session this request belongs to.' }),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    ip: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'SessionInfo', additionalProperties: false },
)
export type SessionInfo = Static<typeof SessionInfo>

export const SessionInfoPage = Page(SessionInfo)

export const DeleteMeRequest = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 128 }) },
  { $id: 'DeleteMeRequest', additionalProperties: false },
)

export const PersonalDataExport = Type.Object(
  {
    generatedAt: Type.String({ format: 'date-time' }),
    profile: ref(Me),
    consents: Type.Array(
      Type.Object(
        {
          kind: Type.String(),
          textVersion: Type.String(),
          givenAt: Type.String({ format: 'date-time' }),
          ip: Type.String(),
          userAgent: Type.Union([Type.String(), Type.Null()]),
          withdrawnAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    accounts: Type.Array(
      Type.Object(
        {
          supplier: Type.String(),
          number: Type.String(),
          address: Type.String(),
          holder: Type.String(),
          linkedAt: Type.String({ format: 'date-time' }),
        },
        { additionalProperties: false },
      ),
    ),
    tickets: Type.Array(
      Type.Object(
        {
          supplier: Type.String(),
          number: Type.Integer(),
          subject: Type.String(),
          status: Type.String(),
          createdAt: Type.String({ format: 'date-time' }),
          messages: Type.Array(
            Type.Object({ author: Type.String(), text: Type.String(), createdAt: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
            { description: 'The thread as the person saw it (no staff notes).' },
          ),
        },
        { additionalProperties: false },
      ),
      { description: 'Support tickets the person opened.' },
    ),
    sessions: Type.Array(Type.Object({ userAgent: Type.Union([Type.String(), Type.Null()]), ip: Type.String(), createdAt: Type.String({ format: 'date-time' }), lastUsedAt: Type.String({ format: 'date-time' }), endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) }, { additionalProperties: false })),
  },
  { $id: 'PersonalDataExport', additionalProperties: false, description: 'Everything held about the caller (152-FZ).' },
)
export type PersonalDataExport = Static<typeof PersonalDataExport>

export const meSchemas = [RoleName, Me, MeUpdate, SessionInfo, SessionInfoPage, DeleteMeRequest, PersonalDataExport]
