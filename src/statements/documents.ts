import { localDate } from '../accounts/meters.ts'
import { periodName, ruDate } from '../common/periods.ts'
import { rubles, toKopecks } from '../common/money.ts'
import { SERVICE_NAMES } from '../documents/labels.ts'
import { field, heading, renderPdf, table } from '../documents/pdf.ts'
import type { Supplier } from '../generated/prisma/client.ts'
import { debtOf } from '../ledger/rules.ts'
import type { Statement } from './schemas.ts'

/** The statement as a PDF: the same figures as the JSON, in Russian. */
export function statementPdf(statement: Statement, timeZone: string): Promise<Buffer> {
  return renderPdf({ title: `Выписка по лицевому счёту ${statement.account.number}` }, (doc) => {
    heading(doc, 'Выписка по лицевому счёту')
    field(doc, 'Поставщик', `${statement.supplier.name}, ИНН ${statement.supplier.inn}`)
    field(doc, 'Лицевой счёт', statement.account.number)
    field(doc, 'Абонент', statement.account.holder)
    field(doc, 'Адрес', statement.account.address)
    field(doc, 'Период', `${periodName(statement.from)} — ${periodName(statement.to)}`)
    field(doc, 'Дата формирования', ruDate(localDate(new Date(statement.generatedAt), timeZone)))
    doc.moveDown()
    table(
      doc,
      [
        { title: 'Период', width: 95 },
        { title: 'Входящее сальдо', width: 85, align: 'right' },
        { title: 'Начислено', width: 140, align: 'right' },
        { title: 'Оплачено', width: 85, align: 'right' },
        { title: 'Исходящее сальдо', width: 90, align: 'right' },
      ],
      statement.periods.map((p) => [
        periodName(p.period),
        rubles(p.openingBalance),
        [
          rubles(p.chargesTotal),
          ...p.charges.map((c) => `${SERVICE_NAMES[c.service] ?? c.service}: ${rubles(c.amount)}`),
          ...(p.penalties === '0.00' ? [] : [`Пени: ${rubles(p.penalties)}`]),
          ...(p.invoice ? [`Квитанция № ${p.invoice.number}: к оплате ${rubles(p.invoice.totalDue)} до ${ruDate(p.invoice.dueDate)}`] : []),
        ].join('\n'),
        rubles(p.payments),
        rubles(p.closingBalance),
      ]),
    )
    field(doc, 'Сальдо на начало', rubles(statement.openingBalance))
    field(doc, 'Начислено за период', rubles(statement.chargesTotal))
    field(doc, 'Оплачено за период', rubles(statement.paymentsTotal))
    field(doc, 'Сальдо на конец', rubles(statement.closingBalance))
    doc.moveDown().fontSize(8).fillColor('#555').text('Положительное сальдо — задолженность абонента, отрицательное — переплата.')
  })
}

export interface CertificateInput {
  number: string
  supplier: Pick<Supplier, 'name' | 'inn' | 'kpp' | 'bankName' | 'bik' | 'settlementAccount' | 'correspondentAccount' | 'timeZone'>
  account: { number: string; address: string; holder: string }
  /** What the account owes now (settled payments counted); "0.00" or negative: no debt. */
  balance: string
  pendingPayments: string
  /** Penalty lines charged on the account so far (they are part of the balance). */
  penalties: string
  /** The newest receipt issued, if any. */
  lastInvoice: { number: number; period: string; totalDue: string; dueDate: string } | null
  at: Date
}

/** A certificate of the current debt, or of no debt, with the supplier's requisites. */
export function debtCertificatePdf(input: CertificateInput): Promise<Buffer> {
  const { supplier } = input
  const date = ruDate(localDate(input.at, supplier.timeZone))
  const { debt, advance } = debtOf(toKopecks(input.balance))
  const owes = debt > 0n
  return renderPdf({ title: `Справка ${owes ? 'о задолженности' : 'об отсутствии задолженности'} № ${input.number}` }, (doc) => {
    doc.fontSize(9).text(supplier.name)
    doc.text(`ИНН ${supplier.inn}${supplier.kpp ? `, КПП ${supplier.kpp}` : ''}`)
    doc.text(`Р/с ${supplier.settlementAccount} в ${supplier.bankName}, БИК ${supplier.bik}, к/с ${supplier.correspondentAccount}`)
    doc.moveDown(1.5).fontSize(10)
    heading(doc, owes ? 'Справка о задолженности' : 'Справка об отсутствии задолженности')
    field(doc, 'Номер справки', input.number)
    field(doc, 'Дата', date)
    field(doc, 'Лицевой счёт', input.account.number)
    field(doc, 'Абонент', input.account.holder)
    field(doc, 'Адрес', input.account.address)
    doc.moveDown()
    doc.text(
      owes
        ? `По состоянию на ${date} задолженность по лицевому счёту ${input.account.number} составляет ${rubles(debt)}.`
        : `По состоянию на ${date} задолженность по лицевому счёту ${input.account.number} отсутствует${advance > 0n ? `; переплата ${rubles(advance)}` : ''}.`,
    )
    if (toKopecks(input.penalties) !== 0n) {
      doc.moveDown(0.5).text(`Пени за несвоевременную оплату (ч. 14 ст. 155 ЖК РФ), начисленные за всё время и учтённые в расчёте: ${rubles(input.penalties)}.`)
    }
    if (input.lastInvoice) {
      const last = input.lastInvoice
      doc.moveDown(0.5).text(`Последняя квитанция: № ${last.number} за ${periodName(last.period)}, к оплате ${rubles(last.totalDue)} до ${ruDate(last.dueDate)}.`)
    }
    if (toKopecks(input.pendingPayments) !== 0n) {
      doc.moveDown(0.5).text(`Платежи в обработке банком: ${rubles(input.pendingPayments)} (не учтены в сумме выше).`)
    }
    doc.moveDown(2).fontSize(8).fillColor('#555').text('Справка сформирована автоматически в личном кабинете абонента.')
  })
}
