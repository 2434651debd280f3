import { Type } from 'typebox'

export const Health = Type.Object({ status: Type.Literal('ok') }, { $id: 'Health', additionalProperties: false })

export const ReadinessReport = Type.Object(
  {
    status: Type.Literal('ready'),
    checks: Type.Object({ database: Type.Literal('ok'), migrations: Type.Literal('ok') }, { additionalProperties: false }),
  },
  { $id: 'ReadinessReport', additionalProperties: false },
)

export const metaSchemas = [Health, ReadinessReport]
