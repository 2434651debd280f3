import { Type } from 'typebox'

export const Health = Type.Object({ status: Type.Literal('ok') }, { $id: 'Health', additionalProperties: false })

export const ReadinessReport = Type.Object(
  {
    status: Type.Literal('ready'),
    checks: Type.Object({ database: Type.Literal('ok'), migrations: Type.Literal('ok') }, { additionalProperties: false }),
    queue: Type.Object(
      {
        waiting: Type.Integer({ minimum: 0, description: 'Jobs due now that no worker has taken yet.' }),
        oldestWaitingSeconds: Type.Number({ minimum: 0, description: 'How long the oldest of them has been due; a growing figure means too few workers.' }),
        running: Type.Integer({ minimum: 0 }),
        scheduled: Type.Integer({ minimum: 0, description: 'Retries and jobs set for later.' }),
        failed: Type.Integer({ minimum: 0, description: 'Jobs that used all their attempts (GET /v1/admin/jobs?state=failed).' }),
      },
      { additionalProperties: false, description: 'The background job queue. Informational: a backlog does not make the API unready.' },
    ),
  },
  { $id: 'ReadinessReport', additionalProperties: false },
)

export const metaSchemas = [Health, ReadinessReport]
