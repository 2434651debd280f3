import type { Config } from '../../config.ts'
import type { PaymentProvider } from './provider.ts'
import { createCloudPaymentsProvider } from './cloudpayments.ts'
import { createSandboxProvider } from './sandbox.ts'
import { createTbankProvider } from './tbank.ts'

export type { PaymentProvider } from './provider.ts'

/** The providers this installation speaks, by the name in their notification route. */
export function createProviders(config: Config): Map<string, PaymentProvider> {
  const providers = new Map<string, PaymentProvider>()
  const timeoutMs = config.payments.providerTimeoutMs
  providers.set('cloudpayments', createCloudPaymentsProvider({ apiUrl: config.payments.cloudPaymentsApiUrl, timeoutMs }))
  providers.set('tbank', createTbankProvider({ apiUrl: config.payments.tbankApiUrl, timeoutMs }))
  if (config.payments.sandbox.enabled) {
    providers.set(
      'sandbox',
      createSandboxProvider({
        secret: config.payments.sandbox.secret,
        publicApiUrl: config.publicApiUrl,
        toleranceS: config.payments.notificationToleranceS,
        now: () => config.clock.now(),
      }),
    )
  }
  return providers
}
