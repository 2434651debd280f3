import { auditContextOf } from '../audit/audit.ts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problems, ref } from '../common/schemas.ts'
import { listJobs, retryJob } from './admin.ts'
import { JobListQuery, JobView, JobViewPage } from './schemas.ts'

const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin']

  app.get(
    '/admin/jobs',
    {
      config: { auth: { roles: ['admin'] } },
      schema: {
        operationId: 'listJobs',
        tags,
        summary: 'Background jobs in the queue (admin)',
        description: 'Newest first. `state=failed` lists the jobs that used all their attempts, with the last error.',
        querystring: JobListQuery,
        response: { 200: ref(JobViewPage, { description: 'A page of jobs.' }), ...problems(400) },
      },
    },
    async (request) => listJobs(app.db, request.query),
  )

  app.post(
    '/admin/jobs/:jobId/retry',
    {
      config: { auth: { roles: ['admin'] } },
      schema: {
        operationId: 'retryJob',
        tags,
        summary: 'Run a failed job again, with a fresh set of attempts (admin)',
        params: Type.Object({ jobId: Type.String({ pattern: '^\\d{1,18}$', examples: ['1842'] }) }, { additionalProperties: false }),
        response: { 200: ref(JobView, { description: 'The job, due now.' }), ...problems(400, 404, 409) },
      },
    },
    async (request) =>
      app.transaction(async (tx) => {
        const job = await retryJob(tx, request.params.jobId)
        await app.audit.record(tx, auditContextOf(request), { supplierId: null, entity: 'job', entityId: request.params.jobId, action: 'retry' })
        return job
      }),
  )
}

export default jobRoutes
