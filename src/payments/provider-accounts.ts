import type { SecretBox } from '../common/secret-box.ts'
import { toKopecks } from '../common/money.ts'
import type { Tx } from '../db/transaction.ts'
import type { Credentials, NamedPayment } from './providers/provider.ts'
import type { PaymentStatus } from './rules.ts'

/** The authenticated context of a sealed secret: the row it belongs to. */
export const credentialsContext = (supplierId: string, provider: string) => `payment_provider_account:${supplierId}:${provider}`

export interface ProviderAccount {
  provider: 'cloudpayments' | 'tbank'
  credentials: Credentials
}

/** The supplier's own merchant account, if it has one. */
export async function supplierProviderAccount(db: Tx, box: SecretBox, supplierId: string): Promise<ProviderAccount | null> {
  const [row] = await db.sql<{ provider: ProviderAccount['provider']; merchantId: string; secretSealed: string }>`
    SELECT provider, "merchantId", "secretSealed" FROM payment_provider_account WHERE "supplierId" = ${supplierId}::uuid`
  if (!row) return null
  return { provider: row.provider, credentials: { merchantId: row.merchantId, secret: box.open(row.secretSealed, credentialsContext(supplierId, row.provider)) } }
}

/** The payment a notification names, among the provider's, with the credentials its notifications are signed by. */
export async function namedPayment(db: Tx, box: SecretBox, provider: string, paymentId: string): Promise<NamedPayment | null> {
  const [row] = await db.sql<{
    id: string
    status: PaymentStatus
    amount: string
    expiresAt: Date | null
    supplierId: string
    merchantId: string | null
    secretSealed: string | null
  }>`
    SELECT p.id, p.status::text AS status, p.amount::text AS amount, p."expiresAt", a."supplierId", k."merchantId", k."secretSealed"
    FROM payment p
    JOIN account a ON a.id = p."accountId"
    LEFT JOIN payment_provider_account k ON k."supplierId" = a."supplierId" AND k.provider = p.provider
    WHERE p.id = ${paymentId}::uuid AND p.provider = ${provider}`
  if (!row) return null
  const credentials =
    row.merchantId && row.secretSealed ? { merchantId: row.merchantId, secret: box.open(row.secretSealed, credentialsContext(row.supplierId, provider)) } : null
  return { id: row.id, status: row.status, amount: toKopecks(row.amount), expiresAt: row.expiresAt, credentials }
}
