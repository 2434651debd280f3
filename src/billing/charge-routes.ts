import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { localDate } from '../accounts/meters.ts'
import { callerOf } from '../access/guard.ts'
import { UnprocessableError } from '../common/errors.ts'
import { periodOf, periodRange } from '../common/periods.ts'
import { Uuid, problems, ref } from '../common/schemas.ts'
import { AccountCharges, ChargeQuery } from './charge-schemas.ts'

const MAX_CHARGE_MONTHS = 60

interface LineRow {
  period: string
  service: 'heat' | 'hot_water' | 'cold_water' | 'wastewater' | 'gas' | 'electricity'
  kind: 'metered' | 'average' | 'normative' | 'recalculation' | 'penalty'
  meterId: string | null
  zone: string | null
  quantity: string
  unit: string | null
  tariff: string
  coefficient: string | null
  amount: string
  source: 'computed' | 'imported'
  basis: Record<string, unknown> | null
  total: string
}

const chargeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/accounts/:accountId/charges',
    {
      config: { auth: { roles: ['customer', 'organization', 'operator', 'admin'] } },
      schema: {
        operationId: 'listAccountCharges',
        tags: ['billing'],
        summary: 'Charge lines by period and service, with the method and what each rests on',
        description: '`from` defaults to 11 periods before `to`, `to` to the current period (supplier’s calendar); at most 60 periods (`period_range_invalid`).',
        params: Type.Object({ accountId: Uuid }, { additionalProperties: false }),
        querystring: ChargeQuery,
        response: { 200: ref(AccountCharges, { description: 'The charges.' }), ...problems(400, 401, 404, 422) },
      },
    },
    async (request) => {
      const account = await app.accounts.findVisible(callerOf(request), request.params.accountId)
      const range = periodRange(request.query, periodOf(localDate(app.config.clock.now(), account.supplier.timeZone)), MAX_CHARGE_MONTHS)
      if ('invalid' in range) throw new UnprocessableError('period_range_invalid', range.invalid)
      const rows = await app.db.sql<LineRow>`
        SELECT to_char(c.period, 'YYYY-MM') AS period, c.service::text, c.kind::text, c."meterId", c.zone, c.quantity::text, c.unit,
               c.tariff::text, c.coefficient::text, c.amount::text, CASE WHEN c."runId" IS NULL THEN 'imported' ELSE 'computed' END AS source, c.basis,
               sum(c.amount) OVER (PARTITION BY c.period)::text AS total
        FROM charge c
        WHERE c."accountId" = ${account.id}::uuid AND c.period BETWEEN ${`${range.from}-01`}::date AND ${`${range.to}-01`}::date
        ORDER BY c.period, c.service, c.kind, c.zone NULLS FIRST, c.tariff, c.id`
      const periods = new Map<string, { period: string; amount: string; lines: Omit<LineRow, 'period' | 'total'>[] }>()
      for (const { period, total, ...line } of rows) {
        const entry = periods.get(period) ?? periods.set(period, { period, amount: total, lines: [] }).get(period)!
        entry.lines.push(line)
      }
      return { ...range, periods: [...periods.values()] }
    },
  )
}

export default chargeRoutes
