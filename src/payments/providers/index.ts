import type { Config } from '../../config.ts'
import type { PaymentProvider } from './provider.ts'
import { createCloudPaymentsProvider } from './cloudpayments.ts'
import type { SignedHeaders } from '../../common/standard-webhooks.ts'
import { createSandboxProvider, type SandboxProvider } from './sandbox.ts'
import { createTbankProvider } from './tbank.ts'

export type { PaymentProvider } from './provider.ts'

/** The providers this installation speaks, by the name in their notification route. */
export function createProviders(
  config: Config,
  deliverToSelf: (url: string, headers: Record<string, string>, payload: string) => Promise<void>,
): { providers: Map<string, PaymentProvider>; sandbox: SandboxProvider | null } {
  const providers = new Map<string, PaymentProvider>()
  const timeoutMs = config.payments.providerTimeoutMs
  providers.set('cloudpayments', createCloudPaymentsProvider({ apiUrl: config.payments.cloudPaymentsApiUrl, timeoutMs }))
  providers.set('tbank', createTbankProvider({ apiUrl: config.payments.tbankApiUrl, timeoutMs }))
  const sandbox = config.payments.sandbox.enabled
    ? createSandboxProvider({
        secret: config.payments.sandbox.secret,
        publicApiUrl: config.publicApiUrl,
        toleranceS: config.payments.notificationToleranceS,
        now: () => config.clock.now(),
        deliver: (headers: SignedHeaders, payload: string) =>
          deliverToSelf('/v1/webhooks/payments/sandbox', { ...headers, 'content-type': 'application/json' }, payload),
      })
    : null
  if (sandbox) providers.set('sandbox', sandbox)
  return { providers, sandbox }
}
