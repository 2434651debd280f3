// The register of bench:billing, seeded set-based: accounts across the 3 demo suppliers (2
// services each), their meters, readings for ~85 % of the meters over `historyMonths` months plus
// the period's, ~3 % of the meters past verification, a tariff change on the 16th, normatives, and
// `debtMonths` months of earlier charges with their payments (~80 % on time, ~12 % 55 days late,
// ~8 % never). Expects a migrated database with the demo data.
export interface BillingSeed {
  accounts: number
  historyMonths: number
  debtMonths: number
  /** YYYY-MM: the period to bill. */
  period: string
}

type Query = (sql: string, values?: unknown[]) => Promise<{ rows: unknown[] }>

export async function seedBillingRegister(q: Query, o: BillingSeed) {
  await q(`UPDATE supplier SET services = '{electricity,gas}' WHERE code = 'energosbyt'`)
  const suppliers = (await q(`SELECT id, code, services::text[] AS services FROM supplier ORDER BY code`)).rows as { id: string; code: string; services: string[] }[]
  // Accounts, set-based: the i-th goes to supplier i mod 3.
  await q(
    `INSERT INTO account (id, "supplierId", number, "holderSurname", address, "residentsCount", "areaM2", services, "updatedAt")
     SELECT gen_random_uuid(), s.id, 'B' || lpad(i::text, 9, '0'), 'Счётов', 'ул. Нагрузочная, ' || i, 1 + i % 4, 30 + i % 60, s.services, now()
     FROM generate_series(1, $1::int) i JOIN (SELECT id, services, row_number() OVER (ORDER BY code) - 1 AS k FROM supplier) s ON s.k = i % 3`,
    [o.accounts],
  )
  await q(
    `INSERT INTO meter (id, "accountId", service, "serialNumber", "digitCapacity", "verificationDueAt", "updatedAt")
     SELECT gen_random_uuid(), a.id, s.service, 'M-' || a.number || '-' || s.service, 6,
            CASE WHEN abs(hashtext(a.number)) % 100 < 3 THEN DATE '2026-07-10' ELSE DATE '2031-01-01' END, now()
     FROM account a CROSS JOIN LATERAL unnest(a.services) AS s(service)
     WHERE a.number LIKE 'B%' AND s.service IN ('cold_water', 'hot_water', 'electricity', 'gas')`,
  )
  const months = Array.from({ length: o.historyMonths + 1 }, (_, k) => o.historyMonths - k) // historyMonths back .. 0 (the period)
  await q(
    `INSERT INTO reading (id, "meterId", "accountId", period, t1, "t1Consumption", "takenAt", source, status)
     SELECT gen_random_uuid(), m.id, m."accountId", p.period, 100 + (${o.historyMonths} - p.back + 1) * 5, CASE WHEN p.back = ${o.historyMonths} THEN NULL ELSE 5 END,
            p.period + interval '19 days', 'customer', 'accepted'
     FROM meter m CROSS JOIN LATERAL (SELECT back, (DATE '${o.period}-01' - make_interval(months => back))::date AS period FROM unnest($1::int[]) AS back) p
     WHERE m."serialNumber" LIKE 'M-B%' AND abs(hashtext(m.id::text)) % 100 < 85
       AND m."verificationDueAt" > p.period
     -- In the order they arrive in production, period after period: a period's readings lie
     -- together in the table, as the run that marks them billed finds them.
     ORDER BY p.period`,
    [months],
  )
  for (const s of suppliers) {
    for (const service of s.services) {
      // Zones T2 and T3 too for electricity: the demo register has a three-zone meter.
      for (const zone of service === 'electricity' ? ['T1', 'T2', 'T3'] : ['T1']) {
        await q(
          `INSERT INTO tariff (id, "supplierId", service, zone, basis, price, unit, "effectiveFrom", "effectiveTo", "updatedAt") VALUES
             (gen_random_uuid(), $1, $2::"Service", $3, 'metered', 40.5, 'ед.', '2025-01-01', '${o.period}-15', now()),
             (gen_random_uuid(), $1, $2::"Service", $3, 'metered', 43.25, 'ед.', '${o.period}-16', NULL, now())`,
          [s.id, service, zone],
        )
      }
      await q(
        `INSERT INTO normative (id, "supplierId", service, basis, quantity, unit, "effectiveFrom", "updatedAt")
         VALUES (gen_random_uuid(), $1, $2::"Service", $3::"NormativeBasis", $4, 'ед.', '2025-01-01', now())`,
        [s.id, service, service === 'heat' ? 'per_area' : 'per_resident', service === 'heat' ? '0.0213' : '4.5'],
      )
    }
  }
  // Earlier periods' charges (one line per account and period) and how they were paid.
  const debtPeriods = Array.from({ length: o.debtMonths }, (_, k) => k + 1)
  await q(
    `INSERT INTO charge (id, "accountId", period, service, kind, quantity, tariff, amount, unit, basis)
     SELECT gen_random_uuid(), a.id, (DATE '${o.period}-01' - make_interval(months => back))::date, a.services[1], 'metered', 10, 40.5,
            405 + abs(hashtext(a.number)) % 2000, 'ед.', '{"rule":"reading"}'
     FROM account a CROSS JOIN unnest($1::int[]) AS back WHERE a.number LIKE 'B%'
     ORDER BY back DESC`,
    [debtPeriods],
  )
  await q(
    `INSERT INTO payment (id, "accountId", amount, status, provider, "externalId", "paidAt")
     SELECT gen_random_uuid(), a.id, 405 + abs(hashtext(a.number)) % 2000, 'succeeded', 'bench', a.number || '-' || back,
            (DATE '${o.period}-01' - make_interval(months => back) + interval '1 month 9 days 10 hours'
              + CASE WHEN abs(hashtext(a.number)) % 100 >= 80 THEN interval '55 days' ELSE interval '0' END) AT TIME ZONE 'UTC'
     FROM account a CROSS JOIN unnest($1::int[]) AS back
     WHERE a.number LIKE 'B%' AND abs(hashtext(a.number)) % 100 < 92
       AND DATE '${o.period}-01' - make_interval(months => back) + interval '1 month 9 days'
           + CASE WHEN abs(hashtext(a.number)) % 100 >= 80 THEN interval '55 days' ELSE interval '0' END < DATE '${o.period}-01' + interval '1 month'
     ORDER BY 7`,
    [debtPeriods],
  )
  return suppliers
}
