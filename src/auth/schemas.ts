import { LinkProofAnswer } from '../accounts/schemas.ts'
import { Type, type Static } from 'typebox'
import { Uuid } from '../common/schemas.ts'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.ts'

const Password = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  description: '8..128 characters of any kind; common passwords and ones made of your own data are refused.',
})
const Email = Type.String({ format: 'email', maxLength: 254 })
const Token = Type.String({ minLength: 16, maxLength: 128, description: 'The code from the mail.' })

export const RegisterRequest = Type.Object(
  {
    supplierId: Uuid,
    accountNumber: Type.String({ minLength: 1, maxLength: 32, description: "As printed on the receipt; the supplier's short form is accepted." }),
    surname: Type.String({ minLength: 1, maxLength: 100, description: "The account holder's surname, as in the supplier's register." }),
    proof: LinkProofAnswer,
    givenNames: Type.Optional(Type.String({ maxLength: 100 })),
    email: Email,
    phone: Type.Optional(Type.String({ minLength: 5, maxLength: 32, examples: ['+79131234567'] })),
    password: Password,
    consent: Type.Object(
      {
        personalData: Type.Literal(true, { description: 'Consent to personal-data processing (152-FZ); registration needs it.' }),
        textVersion: Type.String({ minLength: 1, maxLength: 32, description: 'Version of the consent text shown to the person.' }),
      },
      { additionalProperties: false },
    ),
    captchaToken: Type.Optional(Type.String({ minLength: 1, maxLength: 8192, description: 'Needed after repeated failed checks (`captcha_required`).' })),
  },
  { $id: 'RegisterRequest', additionalProperties: false },
)
export type RegisterRequest = Static<typeof RegisterRequest>

export const Accepted = Type.Object(
  {
    status: Type.Literal('accepted'),
    detail: Type.String(),
  },
  { $id: 'Accepted', additionalProperties: false, description: 'The same answer whatever the outcome, so that it tells nothing about who is registered.' },
)

export const TokenRequest = Type.Object({ token: Token }, { $id: 'TokenRequest', additionalProperties: false })

export const EmailRequest = Type.Object({ email: Email }, { $id: 'EmailRequest', additionalProperties: false })

export const LoginRequest = Type.Object(
  {
    login: Type.String({
      minLength: 1,
      maxLength: 254,
      description: 'Email, phone, an organization code (ORG-...), or an account number together with supplierId.',
    }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    supplierId: Type.Optional(Uuid),
    captchaToken: Type.Optional(Type.String({ minLength: 1, maxLength: 8192, description: 'Needed after repeated failed logins (`captcha_required`).' })),
  },
  { $id: 'LoginRequest', additionalProperties: false },
)
export type LoginRequest = Static<typeof LoginRequest>

export const TokenPair = Type.Object(
  {
    accessToken: Type.String({ description: 'JWT for `Authorization: Bearer`.' }),
    refreshToken: Type.String({ description: 'Opaque; single use: each refresh returns a new one.' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds the access token is valid.' }),
    refreshExpiresAt: Type.String({ format: 'date-time', description: 'When the session ends at the latest.' }),
    mustChangePassword: Type.Boolean({ description: 'True for a temporary password: change it before anything else.' }),
  },
  { $id: 'TokenPair', additionalProperties: false },
)

export const RefreshRequest = Type.Object(
  { refreshToken: Type.String({ minLength: 16, maxLength: 128 }) },
  { $id: 'RefreshRequest', additionalProperties: false },
)

export const PasswordResetRequest = Type.Object({ token: Token, newPassword: Password }, { $id: 'PasswordResetRequest', additionalProperties: false })

export const PasswordChangeRequest = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    newPassword: Password,
    endOtherSessions: Type.Optional(Type.Boolean({ default: true, description: 'End every other session (default).' })),
  },
  { $id: 'PasswordChangeRequest', additionalProperties: false },
)


export const CaptchaChallenge = Type.Object(
  {
    provider: Type.Union([Type.Literal('altcha'), Type.Literal('yandex'), Type.Literal('none')], {
      description: 'altcha: solve `challenge` (the ALTCHA widget does it) and send its base64 payload as `captchaToken`. ' +
        'yandex: show the Yandex SmartCaptcha widget and send its token. none: no captcha is ever asked.',
    }),
    challenge: Type.Union(
      [
        Type.Object(
          {
            parameters: Type.Object(
              {
                algorithm: Type.String({ examples: ['SHA-256'] }),
                nonce: Type.String(),
                salt: Type.String(),
                cost: Type.Integer(),
                keyLength: Type.Integer(),
                keyPrefix: Type.String(),
                keySignature: Type.Optional(Type.String()),
                expiresAt: Type.Optional(Type.Integer({ description: 'Unix seconds; a challenge is good for 10 minutes and once.' })),
              },
              { additionalProperties: true },
            ),
            signature: Type.String(),
          },
          { additionalProperties: true },
        ),
        Type.Null(),
      ],
      { description: 'An ALTCHA v2 challenge (altcha-lib); null for the other providers.' },
    ),
  },
  {
    $id: 'CaptchaChallenge',
    additionalProperties: false,
    examples: [
      {
        provider: 'altcha',
        challenge: {
          parameters: { algorithm: 'SHA-256', nonce: '6f1c0e2b9a7d4c3e8f5a1b2c3d4e5f60', salt: '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', cost: 1, keyLength: 32, keyPrefix: '3fa9c2e1d0b7a6c5f4e3d2c1b0a9f8e7', keySignature: 'c0ffee…', expiresAt: 1796630400 },
          signature: '5d41402abc4b2a76b9719d911017c592…',
        },
      },
    ],
  },
)

export const authSchemas = [RegisterRequest, Accepted, TokenRequest, EmailRequest, LoginRequest, TokenPair, RefreshRequest, PasswordResetRequest, PasswordChangeRequest, CaptchaChallenge]
