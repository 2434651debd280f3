import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../common/schemas.ts'

export const JobState = Type.Enum(['waiting', 'scheduled', 'running', 'failed'], {
  $id: 'JobState',
  type: 'string',
  description:
    'waiting: due, not taken yet; scheduled: runs later (a retry after a failure, or a future run time); running: a worker has it; failed: used all its attempts.',
})

export const JobView = Type.Object(
  {
    id: Type.String({ pattern: '^\\d+$', description: 'The job queue id.', examples: ['1842'] }),
    task: Type.String({ examples: ['mail:send'] }),
    state: Type.Unsafe<Static<typeof JobState>>(Type.Ref('JobState')),
    queue: Type.Union([Type.String(), Type.Null()], { description: 'Jobs of one queue run one at a time, in order.' }),
    key: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Unknown({ description: 'What the job was given.' }),
    attempts: Type.Integer({ minimum: 0 }),
    maxAttempts: Type.Integer({ minimum: 1 }),
    lastError: Type.Union([Type.String(), Type.Null()], { description: 'The error of the last failed attempt.' }),
    runAt: Type.String({ format: 'date-time', description: 'When it runs (next).' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'JobView', additionalProperties: false },
)
export type JobView = Static<typeof JobView>

export const JobViewPage = Page(JobView)

export const JobListQuery = Type.Object(
  {
    state: Type.Optional(Type.Enum(['waiting', 'scheduled', 'running', 'failed'], { type: 'string', description: 'Only jobs in this state.' })),
    task: Type.Optional(Type.String({ maxLength: 100, description: 'Only jobs of this task, e.g. `mail:send`.' })),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
)
export type JobListQuery = Static<typeof JobListQuery>

export const jobSchemas = [JobState, JobView, JobViewPage]
