import type { PayeeRequisites } from '../../src/invoices/payment-qr.ts'

/** The demo water supplier's requisites (their check digits pass). */
export const PAYEE: PayeeRequisites = {
  name: 'ООО «Горводоканал»',
  settlementAccount: '40702810744050000001',
  bankName: 'Сибирский банк ПАО Сбербанк',
  bik: '045004641',
  correspondentAccount: '30101810500000000641',
  inn: '5406000018',
  kpp: '540601001',
}
