import { formatKopecks, multiplyDecimals, multiplyToKopecks, parseWrittenAmount, parseWrittenDecimal } from '../common/money.ts'
import { accountNumberFormatOf, normalizeAccountNumber, type SupplierFormatColumns } from '../suppliers/account-number.ts'

/**
 * Validation of imported register rows: pure functions from a raw record (CSV or JSON, any key
 * spelling) to a clean row or a rejection with a stable code. Nothing here touches the database;
 * what needs it (an account a meter refers to, duplicates across the file) is checked in SQL.
 */
export const SERVICES = ['heat', 'hot_water', 'cold_water', 'wastewater', 'gas', 'electricity'] as const
export type ServiceName = (typeof SERVICES)[number]

// What billing systems (1C and others) print instead of our names.
const SERVICE_ALIASES: Record<string, ServiceName> = {
  heat: 'heat', отопление: 'heat', теплоснабжение: 'heat',
  hot_water: 'hot_water', hotwater: 'hot_water', гвс: 'hot_water', 'горячая вода': 'hot_water', горячееводоснабжение: 'hot_water',
  cold_water: 'cold_water', coldwater: 'cold_water', хвс: 'cold_water', 'холодная вода': 'cold_water', холодноеводоснабжение: 'cold_water',
  wastewater: 'wastewater', водоотведение: 'wastewater', канализация: 'wastewater',
  gas: 'gas', газ: 'gas', газоснабжение: 'gas',
  electricity: 'electricity', электроэнергия: 'electricity', электроснабжение: 'electricity',
}

/**
 * `known`: what a rejected row still tells the rules that look across rows (a charge line's
 * period, which a rejection keeps from being half replaced).
 */
export type Rejection = { ok: false; code: string; detail: string; known?: unknown }
export type Checked<T> = { ok: true; row: T } | Rejection

export interface SupplierRules extends SupplierFormatColumns {
  services: string[]
}

export interface AccountRow {
  number: string
  address: string
  holderSurname: string
  holderGivenNames: string | null
  residentsCount: number
  areaM2: string | null
  services: ServiceName[]
  openingBalance: string
  /** The access code the supplier prints on its own receipts; null: the database makes one. */
  accessCode: string | null
}

export interface MeterRow {
  accountNumber: string
  service: ServiceName
  serialNumber: string
  zones: number
  digitCapacity: number
  installedAt: string | null
  verificationDueAt: string | null
}

export const CHARGE_KINDS = ['metered', 'average', 'normative', 'recalculation', 'per_resident', 'per_area', 'fixed', 'penalty'] as const
export type ChargeKindName = (typeof CHARGE_KINDS)[number]

/** A charge line of a supplier's own billing system. */
export interface ChargeRow {
  accountNumber: string
  /** The first day of the billing period, YYYY-MM-01. */
  period: string
  /** Null on penalty lines alone, like quantity and tariff. */
  service: ServiceName | null
  kind: ChargeKindName
  quantity: string | null
  unit: string | null
  tariff: string | null
  coefficient: string | null
  amount: string
  lineId: string
}

/** A payment from a supplier's payment registry. */
export interface PaymentRow {
  accountNumber: string
  paymentId: string
  amount: string
  /** Written with a UTC offset: the instant. */
  paidAt: string | null
  /** Written without one (or a date alone, at midnight): a time on the supplier's wall clock. */
  paidLocal: string | null
  method: string | null
}

const reject = (code: string, detail: string): Rejection => ({ ok: false, code, detail })

/** "holder_surname", "Holder Surname" and "holderSurname" are one column; so are "Лицевой счёт" and "лицевой счет". */
export function columnKey(name: string): string {
  return name.trim().toLowerCase().replace(/ё/g, 'е').replace(/[\s_\-.]/g, '')
}

const ACCOUNT_COLUMNS: Record<string, keyof AccountRow> = {
  number: 'number', accountnumber: 'number', account: 'number', лицевойсчет: 'number', лс: 'number',
  address: 'address', адрес: 'address',
  holdersurname: 'holderSurname', surname: 'holderSurname', фамилия: 'holderSurname',
  holdergivennames: 'holderGivenNames', givennames: 'holderGivenNames', имяотчество: 'holderGivenNames',
  residents: 'residentsCount', residentscount: 'residentsCount', проживающих: 'residentsCount',
  area: 'areaM2', aream2: 'areaM2', площадь: 'areaM2',
  services: 'services', услуги: 'services',
  openingbalance: 'openingBalance', balance: 'openingBalance', сальдо: 'openingBalance',
  accesscode: 'accessCode', коддоступа: 'accessCode', кодлк: 'accessCode',
}

const METER_COLUMNS: Record<string, keyof MeterRow> = {
  accountnumber: 'accountNumber', account: 'accountNumber', number: 'accountNumber', лицевойсчет: 'accountNumber',
  service: 'service', услуга: 'service',
  serialnumber: 'serialNumber', serial: 'serialNumber', заводскойномер: 'serialNumber',
  zones: 'zones', тарифность: 'zones',
  digitcapacity: 'digitCapacity', digits: 'digitCapacity', разрядность: 'digitCapacity',
  installedat: 'installedAt', installed: 'installedAt', датаустановки: 'installedAt',
  verificationdueat: 'verificationDueAt', verificationdue: 'verificationDueAt', датаповерки: 'verificationDueAt',
}

const CHARGE_COLUMNS: Record<string, keyof ChargeRow> = {
  accountnumber: 'accountNumber', account: 'accountNumber', number: 'accountNumber', лицевойсчет: 'accountNumber', лс: 'accountNumber',
  period: 'period', период: 'period', месяц: 'period', расчетныйпериод: 'period',
  service: 'service', услуга: 'service',
  kind: 'kind', вид: 'kind', видначисления: 'kind', способрасчета: 'kind',
  quantity: 'quantity', volume: 'quantity', количество: 'quantity', объем: 'quantity',
  unit: 'unit', едизм: 'unit', единицаизмерения: 'unit',
  tariff: 'tariff', price: 'tariff', тариф: 'tariff', цена: 'tariff',
  coefficient: 'coefficient', коэффициент: 'coefficient', повышающийкоэффициент: 'coefficient',
  amount: 'amount', sum: 'amount', сумма: 'amount', начислено: 'amount',
  lineid: 'lineId', id: 'lineId', idстроки: 'lineId', кодстроки: 'lineId', идентификаторстроки: 'lineId',
}

const PAYMENT_COLUMNS: Record<string, keyof PaymentRow> = {
  accountnumber: 'accountNumber', account: 'accountNumber', number: 'accountNumber', лицевойсчет: 'accountNumber', лс: 'accountNumber',
  paymentid: 'paymentId', id: 'paymentId', externalid: 'paymentId', idплатежа: 'paymentId', номерплатежа: 'paymentId', кодплатежа: 'paymentId',
  amount: 'amount', sum: 'amount', сумма: 'amount', суммаплатежа: 'amount',
  paidat: 'paidAt', paid: 'paidAt', date: 'paidAt', дата: 'paidAt', датаплатежа: 'paidAt', датаоплаты: 'paidAt',
  method: 'method', provider: 'method', способоплаты: 'method', источник: 'method', банк: 'method', агент: 'method',
}

export type RegisterKind = 'accounts' | 'meters' | 'charges' | 'payments'

/** Per kind: what its columns may be called, and which a header must have. */
const KIND_COLUMNS: Record<RegisterKind, { columns: Record<string, string>; required: string[] }> = {
  accounts: { columns: ACCOUNT_COLUMNS, required: ['number', 'address', 'holderSurname'] },
  meters: { columns: METER_COLUMNS, required: ['accountNumber', 'service', 'serialNumber'] },
  charges: { columns: CHARGE_COLUMNS, required: ['accountNumber', 'period', 'amount', 'lineId'] },
  payments: { columns: PAYMENT_COLUMNS, required: ['accountNumber', 'paymentId', 'amount', 'paidAt'] },
}

/** Maps a header (or a JSON object's keys) to our field names; unknown columns are ignored. */
export function mapColumns(names: string[], kind: RegisterKind): { fields: (string | null)[]; missing: string[] } {
  const { columns, required } = KIND_COLUMNS[kind]
  const fields = names.map((name) => columns[columnKey(name)] ?? null)
  return { fields, missing: required.filter((field) => !fields.includes(field)) }
}

function text(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.trim()
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'object':
      return value === null ? '' : JSON.stringify(value)
    default:
      return ''
  }
}

/** "1 234,50" and "1234.5" are 1234.50; at most two decimals, as kopecks. */
export function parseMoney(value: string): string | null {
  const kopecks = parseWrittenAmount(value)
  return kopecks === null ? null : formatKopecks(kopecks)
}

/** YYYY-MM-DD or DD.MM.YYYY, a real calendar date (from 1900: what a date column takes without a surprise). */
export function parseDate(value: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(value)
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : ru ? [ru[3], ru[2], ru[1]] : []
  if (!y || !m || !d || Number(y) < 1900) return null
  const date = new Date(`${y}-${m}-${d}T00:00:00Z`)
  return date.toISOString().startsWith(`${y}-${m}-${d}`) ? `${y}-${m}-${d}` : null
}

export function parseService(value: string): ServiceName | null {
  return SERVICE_ALIASES[value.trim().toLowerCase().replace(/\s+/g, ' ')] ?? SERVICE_ALIASES[value.trim().toLowerCase().replace(/\s+/g, '')] ?? null
}

function checkNumber(raw: string, supplier: SupplierRules, field: string): Checked<string> {
  if (!raw) return reject('missing_field', `${field} is empty`)
  const normalized = normalizeAccountNumber(raw, accountNumberFormatOf(supplier))
  return normalized.ok ? { ok: true, row: normalized.number } : reject('account_number_invalid', `${field} "${raw}": ${normalized.reason}`)
}

export function checkAccountRow(record: Partial<Record<keyof AccountRow, unknown>>, supplier: SupplierRules): Checked<AccountRow> {
  const number = checkNumber(text(record.number), supplier, 'number')
  if (!number.ok) return number
  const address = text(record.address)
  const holderSurname = text(record.holderSurname)
  if (!address) return reject('missing_field', 'address is empty')
  if (!holderSurname) return reject('missing_field', 'holder surname is empty')
  if (address.length > 500 || holderSurname.length > 200) return reject('too_long', 'address or holder surname is too long')
  const residentsRaw = text(record.residentsCount)
  const residentsCount = residentsRaw === '' ? 1 : Number(residentsRaw)
  if (!Number.isInteger(residentsCount) || residentsCount < 0 || residentsCount > 99) return reject('residents_invalid', `residents "${residentsRaw}" is not 0..99`)
  const areaRaw = text(record.areaM2)
  const areaM2 = areaRaw === '' ? null : parseMoney(areaRaw)
  if (areaRaw !== '' && (areaM2 === null || areaM2.startsWith('-'))) return reject('area_invalid', `area "${areaRaw}" is not a non-negative number with at most 2 decimals`)
  const servicesRaw = Array.isArray(record.services) ? record.services.map(String) : text(record.services).split(/[,|;]+/)
  const services: ServiceName[] = []
  for (const item of servicesRaw.map((s) => s.trim()).filter(Boolean)) {
    const service = parseService(item)
    if (!service) return reject('service_unknown', `unknown service "${item}"`)
    if (!supplier.services.includes(service)) return reject('service_not_supplied', `the supplier does not supply ${service}`)
    if (!services.includes(service)) services.push(service)
  }
  const balanceRaw = text(record.openingBalance)
  const openingBalance = balanceRaw === '' ? '0.00' : parseMoney(balanceRaw)
  if (openingBalance === null) return reject('balance_invalid', `opening balance "${balanceRaw}" is not an amount`)
  const givenNames = text(record.holderGivenNames)
  // Compared without case, spaces or dashes when a person links the account: stored that way.
  const accessCode = text(record.accessCode).normalize('NFKC').toUpperCase().replace(/[\s-]+/g, '')
  if (accessCode !== '' && !/^[A-Z0-9]{6,16}$/.test(accessCode)) return reject('access_code_invalid', 'access code is not 6 to 16 letters and digits')
  return {
    ok: true,
    row: {
      number: number.row,
      address,
      holderSurname,
      holderGivenNames: givenNames || null,
      residentsCount,
      areaM2,
      services,
      openingBalance,
      accessCode: accessCode || null,
    },
  }
}

export function checkMeterRow(record: Partial<Record<keyof MeterRow, unknown>>, supplier: SupplierRules): Checked<MeterRow> {
  const accountNumber = checkNumber(text(record.accountNumber), supplier, 'account number')
  if (!accountNumber.ok) return accountNumber
  const serviceRaw = text(record.service)
  const service = parseService(serviceRaw)
  if (!service) return reject('service_unknown', `unknown service "${serviceRaw}"`)
  if (!supplier.services.includes(service)) return reject('service_not_supplied', `the supplier does not supply ${service}`)
  const serialNumber = text(record.serialNumber)
  if (!serialNumber) return reject('missing_field', 'serial number is empty')
  if (serialNumber.length > 64) return reject('too_long', 'serial number is too long')
  const zonesRaw = text(record.zones)
  const zones = zonesRaw === '' ? 1 : /^T?\d(,\s*T?\d)*$/i.test(zonesRaw) && zonesRaw.includes(',') ? zonesRaw.split(',').length : Number(zonesRaw.replace(/^T/i, ''))
  if (!Number.isInteger(zones) || zones < 1 || zones > 3) return reject('zones_invalid', `zones "${zonesRaw}" is not 1, 2 or 3`)
  const digitsRaw = text(record.digitCapacity)
  const digitCapacity = digitsRaw === '' ? 5 : Number(digitsRaw)
  if (!Number.isInteger(digitCapacity) || digitCapacity < 3 || digitCapacity > 9) return reject('digit_capacity_invalid', `digit capacity "${digitsRaw}" is not 3..9`)
  const dates: (string | null)[] = []
  for (const [field, raw] of [['installed at', text(record.installedAt)], ['verification due', text(record.verificationDueAt)]] as const) {
    const date = raw === '' ? null : parseDate(raw)
    if (raw !== '' && date === null) return reject('date_invalid', `${field} "${raw}" is not a date (YYYY-MM-DD or DD.MM.YYYY)`)
    dates.push(date)
  }
  return { ok: true, row: { accountNumber: accountNumber.row, service, serialNumber, zones, digitCapacity, installedAt: dates[0]!, verificationDueAt: dates[1]! } }
}

// What billing systems print for the kind of a line.
const CHARGE_KIND_ALIASES: Record<string, ChargeKindName> = {
  ...Object.fromEntries(CHARGE_KINDS.map((kind) => [kind, kind])),
  'по счетчику': 'metered', 'по прибору учета': 'metered', 'по показаниям': 'metered',
  'по среднему': 'average', среднее: 'average',
  'по нормативу': 'normative', норматив: 'normative',
  перерасчет: 'recalculation',
  пени: 'penalty', пеня: 'penalty',
  'по числу проживающих': 'per_resident', 'на человека': 'per_resident',
  'по площади': 'per_area', 'на м2': 'per_area',
  'фиксированная': 'fixed', 'абонентская плата': 'fixed',
}

export function parseChargeKind(value: string): ChargeKindName | null {
  return CHARGE_KIND_ALIASES[value.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ')] ?? null
}

/** "2026-03", "03.2026", or the first day of the month (2026-03-01, 01.03.2026) → "2026-03-01". */
export function parsePeriod(value: string): string | null {
  const iso = /^(\d{4})-(\d{2})$/.exec(value)
  const ru = /^(\d{2})\.(\d{4})$/.exec(value)
  const date = iso || ru ? null : parseDate(value)
  const [year, month] = iso ? [iso[1]!, iso[2]!] : ru ? [ru[2]!, ru[1]!] : date?.endsWith('-01') ? date.split('-') : []
  if (!year || !month || Number(month) < 1 || Number(month) > 12 || Number(year) < 1900) return null
  return `${year}-${month}-01`
}

const ID_MAX_LENGTH = 100
const UNIT_MAX_LENGTH = 16

/**
 * A charge line. Non-penalty lines must add up: amount = quantity × tariff (× coefficient when
 * given), rounded half-up to kopecks, exactly as a billing run prices; a recalculation (a
 * difference over volumes priced before, possibly negative) is taken as written.
 */
export function checkChargeRow(record: Partial<Record<keyof ChargeRow, unknown>>, supplier: SupplierRules): Checked<ChargeRow> {
  const periodRaw = text(record.period)
  const period = periodRaw === '' ? null : parsePeriod(periodRaw)
  const checked = checkChargeLine(record, supplier, periodRaw, period)
  // A rejected line still names its period: that period is then not replaced by half a file.
  return checked.ok || period === null ? checked : { ...checked, known: { period } satisfies Partial<ChargeRow> }
}

function checkChargeLine(record: Partial<Record<keyof ChargeRow, unknown>>, supplier: SupplierRules, periodRaw: string, period: string | null): Checked<ChargeRow> {
  const accountNumber = checkNumber(text(record.accountNumber), supplier, 'account number')
  if (!accountNumber.ok) return accountNumber
  if (!periodRaw) return reject('missing_field', 'period is empty')
  if (!period) return reject('period_invalid', `period "${periodRaw}" is not a month (YYYY-MM or MM.YYYY)`)
  const lineId = text(record.lineId)
  if (!lineId) return reject('missing_field', 'line id is empty')
  if (lineId.length > ID_MAX_LENGTH) return reject('too_long', `line id is longer than ${ID_MAX_LENGTH} characters`)
  const kindRaw = text(record.kind)
  const kind = kindRaw === '' ? 'metered' : parseChargeKind(kindRaw)
  if (!kind) return reject('kind_unknown', `unknown kind "${kindRaw}" (${CHARGE_KINDS.join(', ')})`)
  const negativeAllowed = kind === 'recalculation'
  const amountRaw = text(record.amount)
  if (!amountRaw) return reject('missing_field', 'amount is empty')
  const kopecks = parseWrittenAmount(amountRaw)
  if (kopecks === null || (kopecks < 0n && !negativeAllowed)) {
    return reject('amount_invalid', `amount "${amountRaw}" is not ${negativeAllowed ? 'an' : 'a non-negative'} amount with at most 2 decimals`)
  }
  const amount = formatKopecks(kopecks)
  const unit = text(record.unit) || null
  if (unit && unit.length > UNIT_MAX_LENGTH) return reject('too_long', `unit is longer than ${UNIT_MAX_LENGTH} characters`)
  const [serviceRaw, quantityRaw, tariffRaw, coefficientRaw] = [record.service, record.quantity, record.tariff, record.coefficient].map(text) as [string, string, string, string]
  const line = { accountNumber: accountNumber.row, period, kind, unit, amount, lineId }
  if (kind === 'penalty') {
    if (serviceRaw || quantityRaw || tariffRaw || coefficientRaw) return reject('penalty_invalid', 'a penalty line has no service, quantity, tariff or coefficient')
    return { ok: true, row: { ...line, service: null, quantity: null, tariff: null, coefficient: null } }
  }
  if (!serviceRaw) return reject('missing_field', 'service is empty (only a penalty line has none)')
  const service = parseService(serviceRaw)
  if (!service) return reject('service_unknown', `unknown service "${serviceRaw}"`)
  if (!supplier.services.includes(service)) return reject('service_not_supplied', `the supplier does not supply ${service}`)
  if (!quantityRaw) return reject('missing_field', 'quantity is empty (only a penalty line has none)')
  const quantity = parseWrittenDecimal(quantityRaw, 11, 3)
  if (quantity === null || (quantity.startsWith('-') && !negativeAllowed)) {
    return reject('quantity_invalid', `quantity "${quantityRaw}" is not ${negativeAllowed ? 'a' : 'a non-negative'} number with at most 3 decimals`)
  }
  if (!tariffRaw) return reject('missing_field', 'tariff is empty (only a penalty line has none)')
  const tariff = parseWrittenDecimal(tariffRaw, 8, 4)
  if (tariff === null || tariff.startsWith('-')) return reject('tariff_invalid', `tariff "${tariffRaw}" is not a non-negative price with at most 4 decimals`)
  const coefficient = coefficientRaw === '' ? null : parseWrittenDecimal(coefficientRaw, 3, 3)
  if (coefficientRaw !== '' && (coefficient === null || coefficient.startsWith('-') || !/[1-9]/.test(coefficient))) {
    return reject('coefficient_invalid', `coefficient "${coefficientRaw}" is not a positive number below 1000 with at most 3 decimals`)
  }
  if (kind !== 'recalculation') {
    const expected = multiplyToKopecks(coefficient === null ? quantity : multiplyDecimals(quantity, coefficient), tariff)
    if (expected !== kopecks) {
      return reject('amount_mismatch', `amount ${amount} is not quantity × tariff${coefficient === null ? '' : ' × coefficient'} = ${formatKopecks(expected)} (rounded half-up)`)
    }
  }
  return { ok: true, row: { ...line, service, quantity, tariff, coefficient } }
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{4})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * When a payment was made: with a UTC offset (2026-11-05T10:30:00+07:00, …Z) an instant;
 * without one, a time on the supplier's wall clock; a date alone (2026-11-05, 05.11.2026), the
 * start of that day on it. Null for anything else.
 */
export function parsePaidAt(value: string): Pick<PaymentRow, 'paidAt' | 'paidLocal'> | null {
  const match = DATE_TIME.exec(value)
  const date = match ? parseDate(match[1]!) : null
  if (!match || !date) return null
  const [, , hours = '00', minutes = '00', seconds = '00', millis = '', offset] = match
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return null
  const time = `${date}T${hours}:${minutes}:${seconds}.${millis.padEnd(3, '0')}`
  if (!offset) return { paidAt: null, paidLocal: time }
  const [offsetHours = 0, offsetMinutes = 0] = offset === 'Z' ? [] : [Number(offset.slice(1, 3)), Number(offset.slice(-2))]
  if (offsetHours > 14 || offsetMinutes > 59) return null
  return { paidAt: `${time}${offset}`, paidLocal: null }
}

export function checkPaymentRow(record: Partial<Record<keyof PaymentRow, unknown>>, supplier: SupplierRules): Checked<PaymentRow> {
  const accountNumber = checkNumber(text(record.accountNumber), supplier, 'account number')
  if (!accountNumber.ok) return accountNumber
  const paymentId = text(record.paymentId)
  if (!paymentId) return reject('missing_field', 'payment id is empty')
  if (paymentId.length > ID_MAX_LENGTH) return reject('too_long', `payment id is longer than ${ID_MAX_LENGTH} characters`)
  const amountRaw = text(record.amount)
  if (!amountRaw) return reject('missing_field', 'amount is empty')
  const kopecks = parseWrittenAmount(amountRaw)
  if (kopecks === null || kopecks <= 0n) return reject('amount_invalid', `amount "${amountRaw}" is not a positive amount with at most 2 decimals`)
  const paidRaw = text(record.paidAt)
  if (!paidRaw) return reject('missing_field', 'paid at is empty')
  const paid = parsePaidAt(paidRaw)
  if (!paid) return reject('date_invalid', `paid at "${paidRaw}" is not a date (YYYY-MM-DD or DD.MM.YYYY) or a date and time (2026-11-05T10:30, an offset optional)`)
  const method = text(record.method) || null
  if (method && method.length > ID_MAX_LENGTH) return reject('too_long', `method is longer than ${ID_MAX_LENGTH} characters`)
  return { ok: true, row: { accountNumber: accountNumber.row, paymentId, amount: formatKopecks(kopecks), ...paid, method } }
}
