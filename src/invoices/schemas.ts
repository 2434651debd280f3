import { Type, type Static } from 'typebox'
import { Money } from '../common/schemas.ts'

export const PaymentQrQuery = Type.Object(
  {
    amount: Type.Optional(
      Type.String({
        // More than zero, at most two decimals: the QR carries kopecks.
        pattern: '^(?!0+(\\.0{1,2})?$)\\d{1,10}(\\.\\d{1,2})?$',
        description: 'Rubles to pay, more than zero, at most two decimals. Without it: what the account owes now, pending payments deducted.',
        examples: ['1500', '2345.67'],
      }),
    ),
  },
  { additionalProperties: false },
)
export type PaymentQrQuery = Static<typeof PaymentQrQuery>

export const PaymentQr = Type.Object(
  {
    payload: Type.String({ description: 'The GOST R 56042-2014 payload (UTF-8) the QR code carries.' }),
    amount: Type.Union([Money, Type.Null()], { description: 'The sum the code asks for; null when nothing is owed (the payer types an amount in).' }),
    accountNumber: Type.String(),
  },
  {
    $id: 'PaymentQr',
    additionalProperties: false,
    examples: [
      {
        payload:
          'ST00012|Name=ООО «Горводоканал»|PersonalAcc=40702810744050000001|BankName=Сибирский банк ПАО Сбербанк|BIC=045004641|CorrespAcc=30101810500000000641|PayeeINN=5406000018|KPP=540601001|Sum=150000|Purpose=Оплата по лицевому счёту 5406-000123|PersAcc=5406-000123|LastName=Иванов|PayerAddress=г. Новосибирск, ул. Ленина, д. 5, кв. 7|TechCode=02',
        amount: '1500.00',
        accountNumber: '5406-000123',
      },
    ],
  },
)
export type PaymentQr = Static<typeof PaymentQr>

export const invoiceSchemas = [PaymentQr]
