import type { Prisma } from '../generated/prisma/client.ts'

/**
 * The demo installation: three fictional suppliers in two time zones with realistic requisites
 * (INN and settlement accounts pass their check digits) and a few accounts each. `npm start`
 * seeds it into an empty database; tests and the README's examples rely on it.
 */
type DemoSupplier = Omit<Prisma.SupplierCreateManyInput, 'id' | 'createdAt' | 'updatedAt'>
type DemoAccount = Omit<Prisma.AccountCreateManyInput, 'id' | 'supplierId' | 'createdAt' | 'updatedAt'> & { supplierCode: string }
type DemoMeter = Omit<Prisma.MeterCreateManyInput, 'id' | 'accountId' | 'createdAt' | 'updatedAt'> & { supplierCode: string; accountNumber: string }

const SIBERIAN_BANK = {
  bankName: 'Сибирский банк ПАО Сбербанк',
  bik: '045004641',
  correspondentAccount: '30101810500000000641',
}

export const demoSuppliers: DemoSupplier[] = [
  {
    code: 'sibteplo',
    name: 'Акционерное общество «СибТеплоСбыт»',
    shortName: 'АО «СибТеплоСбыт»',
    inn: '5406000018',
    kpp: '540601001',
    ...SIBERIAN_BANK,
    settlementAccount: '40702810744050000001',
    services: ['heat', 'hot_water'],
    accountNumberPattern: '^\\d{10}$',
    accountNumberExample: '5400012345',
    readingWindowStartDay: 15,
    readingWindowEndDay: 25,
    paymentDueDay: 15,
    timeZone: 'Asia/Novosibirsk',
  },
  {
    code: 'gorvodokanal',
    name: 'Муниципальное унитарное предприятие «Горводоканал»',
    shortName: 'МУП «Горводоканал»',
    inn: '5407000028',
    kpp: '540701001',
    ...SIBERIAN_BANK,
    settlementAccount: '40702810044050000002',
    services: ['cold_water', 'wastewater'],
    accountNumberPattern: '^\\d{2}-\\d{7}$',
    accountNumberExample: '11-0007785',
    // Private-sector customers type the bare number from old receipts: 7785 is 11-0007785.
    accountNumberShortPattern: '^\\d{1,7}$',
    accountNumberShortPrefix: '11-',
    accountNumberShortPadLength: 7,
    readingWindowStartDay: 15,
    readingWindowEndDay: 25,
    paymentDueDay: 15,
    timeZone: 'Asia/Novosibirsk',
  },
  {
    code: 'energosbyt',
    name: 'Публичное акционерное общество «ЭнергоСбыт Центр»',
    shortName: 'ПАО «ЭнергоСбыт Центр»',
    inn: '7710000030',
    kpp: '771001001',
    bankName: 'ПАО Сбербанк',
    bik: '044525225',
    correspondentAccount: '30101810400000000225',
    settlementAccount: '40702810538000000003',
    services: ['electricity'],
    accountNumberPattern: '^\\d{12}$',
    accountNumberExample: '770100000123',
    readingWindowStartDay: 20,
    readingWindowEndDay: 25,
    paymentDueDay: 15,
    timeZone: 'Europe/Moscow',
  },
]

export const demoAccounts: DemoAccount[] = [
  { supplierCode: 'sibteplo', number: '5400012345', accessCode: 'K7M2QX9P', holderSurname: 'Иванов', holderGivenNames: 'Иван Петрович', address: 'г. Новосибирск, ул. Ленина, д. 10, кв. 5', residentsCount: 3, areaM2: '54.30', services: ['heat', 'hot_water'], receiptDelivery: 'electronic', openingBalance: '1520.40' },
  { supplierCode: 'sibteplo', number: '5400012346', accessCode: 'H3TZ8WRA', holderSurname: 'Семёнова', holderGivenNames: 'Анна Сергеевна', address: 'г. Новосибирск, ул. Ленина, д. 10, кв. 6', residentsCount: 2, areaM2: '41.00', services: ['heat', 'hot_water'] },
  { supplierCode: 'sibteplo', number: '5400020001', accessCode: 'N5CJ2VKE', holderSurname: 'ООО «УК Уютный дом»', address: 'г. Новосибирск, Красный пр-т, д. 25, нежилое помещение 1', residentsCount: 0, areaM2: '312.75', services: ['heat'] },
  { supplierCode: 'gorvodokanal', number: '11-0007785', accessCode: 'P9RD4MXT', holderSurname: 'Петров', holderGivenNames: 'Пётр Алексеевич', address: 'г. Новосибирск, ул. Садовая, д. 7 (частный сектор)', residentsCount: 4, areaM2: '96.00', services: ['cold_water', 'wastewater'] },
  { supplierCode: 'gorvodokanal', number: '12-0012345', accessCode: 'W2HF7BQN', holderSurname: 'Иванов', holderGivenNames: 'Иван Петрович', address: 'г. Новосибирск, ул. Ленина, д. 10, кв. 5', residentsCount: 3, areaM2: '54.30', services: ['cold_water', 'wastewater'], receiptDelivery: 'electronic' },
  { supplierCode: 'gorvodokanal', number: '12-0012346', accessCode: 'S8GK3ZPY', holderSurname: 'Семёнова', holderGivenNames: 'Анна Сергеевна', address: 'г. Новосибирск, ул. Ленина, д. 10, кв. 6', residentsCount: 2, areaM2: '41.00', services: ['cold_water', 'wastewater'] },
  { supplierCode: 'energosbyt', number: '770100000123', accessCode: 'D4XV9TMC', holderSurname: 'Кузнецова', holderGivenNames: 'Мария Ивановна', address: 'г. Москва, ул. Тверская, д. 1, кв. 12', residentsCount: 1, areaM2: '38.20', services: ['electricity'], receiptDelivery: 'electronic' },
  { supplierCode: 'energosbyt', number: '770100000124', accessCode: 'R6BN2HWJ', holderSurname: 'Смирнов', holderGivenNames: 'А. В.', address: 'г. Москва, ул. Тверская, д. 1, кв. 13', residentsCount: 2, areaM2: '52.60', services: ['electricity'] },
]

export const demoMeters: DemoMeter[] = [
  { supplierCode: 'sibteplo', accountNumber: '5400012345', service: 'hot_water', serialNumber: 'ГВС-0451277', zones: 1, digitCapacity: 5, installedAt: new Date('2021-03-15'), verificationDueAt: new Date('2027-03-15') },
  { supplierCode: 'gorvodokanal', accountNumber: '12-0012345', service: 'cold_water', serialNumber: 'ХВС-1187402', zones: 1, digitCapacity: 5, installedAt: new Date('2020-06-01'), verificationDueAt: new Date('2026-06-01') },
  { supplierCode: 'gorvodokanal', accountNumber: '11-0007785', service: 'cold_water', serialNumber: 'ХВС-0098123', zones: 1, digitCapacity: 5, installedAt: new Date('2023-09-20'), verificationDueAt: new Date('2029-09-20') },
  { supplierCode: 'energosbyt', accountNumber: '770100000123', service: 'electricity', serialNumber: '011072184455', zones: 2, digitCapacity: 6, installedAt: new Date('2022-11-01'), verificationDueAt: new Date('2038-11-01') },
  { supplierCode: 'energosbyt', accountNumber: '770100000124', service: 'electricity', serialNumber: '011072184456', zones: 3, digitCapacity: 6, installedAt: new Date('2022-11-01'), verificationDueAt: new Date('2038-11-01') },
]
