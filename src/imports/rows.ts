import { formatKopecks, parseWrittenAmount } from '../common/money.ts'
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

export type Rejection = { ok: false; code: string; detail: string }
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

const reject = (code: string, detail: string): Rejection => ({ ok: false, code, detail })

/** "holder_surname", "Holder Surname" and "holderSurname" are one column. */
export function columnKey(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_\-.]/g, '')
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

export const REQUIRED_ACCOUNT_FIELDS: (keyof AccountRow)[] = ['number', 'address', 'holderSurname']
export const REQUIRED_METER_FIELDS: (keyof MeterRow)[] = ['accountNumber', 'service', 'serialNumber']

/** Maps a header (or a JSON object's keys) to our field names; unknown columns are ignored. */
export function mapColumns<T>(names: string[], kind: 'accounts' | 'meters'): { fields: (keyof T | null)[]; missing: string[] } {
  const table = (kind === 'accounts' ? ACCOUNT_COLUMNS : METER_COLUMNS) as Record<string, keyof T>
  const fields = names.map((name) => table[columnKey(name)] ?? null)
  const required = (kind === 'accounts' ? REQUIRED_ACCOUNT_FIELDS : REQUIRED_METER_FIELDS) as (keyof T)[]
  return { fields, missing: required.filter((field) => !fields.includes(field)).map(String) }
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

/** YYYY-MM-DD or DD.MM.YYYY, a real calendar date. */
export function parseDate(value: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(value)
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : ru ? [ru[3], ru[2], ru[1]] : []
  if (!y || !m || !d) return null
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
  return {
    ok: true,
    row: { number: number.row, address, holderSurname, holderGivenNames: givenNames || null, residentsCount, areaM2, services, openingBalance },
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
