import type { TestContext } from '../helper.ts'

/** Time passes for the job queue: every job waiting for a later attempt or run time is due now. */
export async function makeJobsDue(ctx: Pick<TestContext, 'client'>): Promise<number> {
  const rows = await ctx.client.prisma.$queryRaw<{ n: number }[]>`
    WITH later AS (SELECT id FROM graphile_worker.jobs WHERE locked_at IS NULL AND attempts < max_attempts AND run_at > now())
    SELECT count(*)::int AS n FROM later, LATERAL graphile_worker.reschedule_jobs(ARRAY[later.id], run_at := now()) r`
  return rows[0]?.n ?? 0
}
