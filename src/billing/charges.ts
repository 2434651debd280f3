import type { Tx } from '../db/transaction.ts'

interface LineRow {
  period: string
  service: 'heat' | 'hot_water' | 'cold_water' | 'wastewater' | 'gas' | 'electricity' | null
  kind: 'metered' | 'average' | 'normative' | 'recalculation' | 'penalty' | 'per_resident' | 'per_area' | 'fixed'
  meterId: string | null
  zone: string | null
  quantity: string | null
  unit: string | null
  tariff: string | null
  coefficient: string | null
  amount: string
  source: 'computed' | 'imported'
  basis: Record<string, unknown> | null
  total: string
}

/** An account's charge lines in a span of periods, grouped by period with each period's total. */
export async function chargesByPeriod(db: Tx, accountId: string, range: { from: string; to: string }) {
  const rows = await db.sql<LineRow>`
    SELECT to_char(c.period, 'YYYY-MM') AS period, c.service::text, c.kind::text, c."meterId", c.zone, c.quantity::text, c.unit,
           c.tariff::text, c.coefficient::text, c.amount::text, CASE WHEN c."runId" IS NULL THEN 'imported' ELSE 'computed' END AS source, c.basis,
           sum(c.amount) OVER (PARTITION BY c.period)::text AS total
    FROM charge c
    WHERE c."accountId" = ${accountId}::uuid AND c.period BETWEEN ${`${range.from}-01`}::date AND ${`${range.to}-01`}::date
    ORDER BY c.period, c.service NULLS LAST, c.kind, c.zone NULLS FIRST, c.tariff, c.id`
  const periods = new Map<string, { period: string; amount: string; lines: Omit<LineRow, 'period' | 'total'>[] }>()
  for (const { period, total, ...line } of rows) {
    const entry = periods.get(period) ?? periods.set(period, { period, amount: total, lines: [] }).get(period)!
    entry.lines.push(line)
  }
  return [...periods.values()]
}
