import type { Tx } from './transaction.ts'

/**
 * Advisory locks held until the transaction ends, one name per thing they serialize, so that two
 * domains that must not interleave take the very same lock:
 * - `abonent-import`, per supplier: merges of its register imports, and billing runs (a run must
 *   see an import of its period either whole or not at all);
 * - `abonent-billing`, per supplier and period: starting, running and closing its runs.
 */
export async function lockUntilCommit(tx: Tx, name: 'abonent-import' | 'abonent-billing', key: string): Promise<void> {
  await tx.sql`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(${name}), hashtext(${key}))) l`
}
