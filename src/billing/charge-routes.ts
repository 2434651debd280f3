import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { localDate } from '../accounts/meters.ts'
import { callerOf } from '../access/guard.ts'
import { UnprocessableError } from '../common/errors.ts'
import { periodOf, periodRange } from '../common/periods.ts'
import { Uuid, problems, ref } from '../common/schemas.ts'
import { AccountCharges, ChargeQuery } from './charge-schemas.ts'
import { chargesByPeriod } from './charges.ts'

const MAX_CHARGE_MONTHS = 60

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
      return { ...range, periods: await chargesByPeriod(app.db, account.id, range) }
    },
  )
}

export default chargeRoutes
