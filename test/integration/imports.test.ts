import iconv from 'iconv-lite'
import type { TestContext } from '../helper.ts'
import { bearer } from '../support/auth.ts'
import { importWorld, type ImportClient, type ImportWorld } from '../support/imports.ts'

let world: ImportWorld
let ctx: TestContext
let waterOperator: string
let customer: string
let heat: string
let imports: ImportClient

beforeAll(async () => {
  world = await importWorld({ IMPORT_MAX_BYTES: '200000' })
  ;({ ctx, waterOperator, customer, heat, imports } = world)
})
afterAll(() => world.close())

const ACCOUNTS_CSV = [
  'number;address;holder_surname;holder_given_names;residents;area;services;opening_balance',
  '5400030001;г. Новосибирск, ул. Гоголя, д. 1, кв. 1;Смирнова;Ольга Игоревна;2;48,50;отопление|ГВС;1 250,75',
  '5400030002;г. Новосибирск, ул. Гоголя, д. 1, кв. 2;Кузнецов;;1;33;heat;0',
  '54000300;г. Новосибирск, ул. Гоголя, д. 1, кв. 3;Коротков;;1;30;heat;0',
  '5400030004;г. Новосибирск, ул. Гоголя, д. 1, кв. 4;Орлов;;1;30;газ;0',
  '5400030001;г. Новосибирск, ул. Гоголя, д. 1, кв. 1;Дубликатов;;1;30;heat;0',
  '5400030005;;Безадресный;;1;30;heat;0',
  '5400030006;г. Новосибирск, ул. Гоголя, д. 1, кв. 6;Много;;120;30;heat;0',
  '5400012345;г. Новосибирск, ул. Ленина, д. 10, кв. 5;Иванов;Иван Петрович;3;54,30;heat|hot_water;1520,40',
].join('\r\n')

describe('accounts import', () => {
  let firstId: string

  it('takes the access codes a supplier prints itself (normalized), keeps the database’s code where none is given', async () => {
    const csv = [
      'number;address;holder_surname;код доступа',
      '5400078001;г. Новосибирск, ул. Мира, д. 1, кв. 1;Орлов;ab12-cd34',
      '5400078002;г. Новосибирск, ул. Мира, д. 1, кв. 2;Лебедев;',
      '5400078003;г. Новосибирск, ул. Мира, д. 1, кв. 3;Котов;x!',
    ].join('\n')
    const job = await imports.finished(await imports.upload('accounts', csv, 'text/csv'))
    expect(job).toMatchObject({ insertedRows: 2, rejectedRows: 1 })
    expect(await imports.rejections(job.id)).toEqual([{ line: 4, code: 'access_code_invalid', detail: expect.any(String) }])
    const codes = Object.fromEntries(
      (await ctx.client.prisma.account.findMany({ where: { number: { in: ['5400078001', '5400078002'] } } })).map((a) => [a.number, a.accessCode]),
    )
    expect(codes['5400078001']).toBe('AB12CD34')
    expect(codes['5400078002']).toMatch(/^[A-HJKMNP-Z2-9]{8}$/)
    // Imported again without the column: the codes stay.
    await imports.finished(await imports.upload('accounts', 'number;address;holder_surname\n5400078001;г. Новосибирск, ул. Мира, д. 1, кв. 1;Орлов', 'text/csv'))
    expect((await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '5400078001' } })).accessCode).toBe('AB12CD34')
  })

  it('imports a Windows-1251, ;-separated CSV: valid rows land, each bad one is reported by line with a code', async () => {
    const job = await imports.finished(await imports.upload('accounts', iconv.encode(ACCOUNTS_CSV, 'win1251'), 'text/csv'))
    firstId = job.id
    expect(job).toMatchObject({ status: 'completed', format: 'csv', totalRows: 8, insertedRows: 2, updatedRows: 0, unchangedRows: 1, rejectedRows: 5 })
    expect(await imports.rejections(job.id)).toEqual([
      { line: 4, code: 'account_number_invalid', detail: expect.stringContaining('5400012345') },
      { line: 5, code: 'service_not_supplied', detail: expect.stringContaining('gas') },
      { line: 6, code: 'duplicate_in_file', detail: 'account 5400030001 already appears at line 2' },
      { line: 7, code: 'missing_field', detail: 'address is empty' },
      { line: 8, code: 'residents_invalid', detail: expect.any(String) },
    ])
    const smirnova = await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '5400030001' } })
    expect(smirnova).toMatchObject({ holderSurname: 'Смирнова', holderGivenNames: 'Ольга Игоревна', residentsCount: 2, services: ['heat', 'hot_water'] })
    expect(smirnova.areaM2?.toFixed(2)).toBe('48.50')
    expect(smirnova.openingBalance.toFixed(2)).toBe('1250.75')
  })

  it('changes nothing when the same file comes again (not even timestamps)', async () => {
    const before = await ctx.client.prisma.account.findMany({ where: { supplierId: heat }, orderBy: { id: 'asc' } })
    const job = await imports.finished(await imports.upload('accounts', iconv.encode(ACCOUNTS_CSV, 'win1251'), 'text/csv; charset=windows-1251'))
    expect(job).toMatchObject({ insertedRows: 0, updatedRows: 0, unchangedRows: 3, rejectedRows: 5 })
    expect(await ctx.client.prisma.account.findMany({ where: { supplierId: heat }, orderBy: { id: 'asc' } })).toEqual(before)
    expect(job.id).not.toBe(firstId)
  })

  it('updates only rows that changed; UTF-8 and ,-separated files work too', async () => {
    const csv = 'number,address,holder_surname,residents,area,services,opening_balance\n5400030002,"г. Новосибирск, ул. Гоголя, д. 1, кв. 2",Кузнецов,3,33,heat,0\n'
    const job = await imports.finished(await imports.upload('accounts', csv, 'text/csv'))
    expect(job).toMatchObject({ totalRows: 1, insertedRows: 0, updatedRows: 1, rejectedRows: 0 })
    expect((await ctx.client.prisma.account.findFirstOrThrow({ where: { number: '5400030002' } })).residentsCount).toBe(3)
  })

  it('takes NDJSON and JSON arrays with the same rules', async () => {
    const ndjson = [
      JSON.stringify({ number: '5400040001', address: 'ул. Мира, 1', holderSurname: 'Лебедев', services: ['heat'], openingBalance: '10.5' }),
      'not json',
      JSON.stringify({ number: '5400040002', address: 'ул. Мира, 2', holderSurname: 'Соколов', services: 'water' }),
    ].join('\n')
    const a = await imports.finished(await imports.upload('accounts', ndjson, 'application/x-ndjson'))
    expect(a).toMatchObject({ format: 'ndjson', totalRows: 3, insertedRows: 1, rejectedRows: 2 })
    expect((await imports.rejections(a.id)).map((r: { line: number; code: string }) => [r.line, r.code])).toEqual([[2, 'row_invalid'], [3, 'service_unknown']])

    const json = JSON.stringify([{ number: '5400040003', address: 'ул. Мира, 3', holder_surname: 'Попов', residents: 2 }])
    const b = await imports.finished(await imports.upload('accounts', json, 'application/json'))
    expect(b).toMatchObject({ format: 'json', insertedRows: 1 })
  })

  it('refuses a file without the required columns (422) and marks the job failed', async () => {
    const res = await imports.upload('accounts', 'number;address\n5400050001;ул. Мира, 5\n', 'text/csv')
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 'import_header_invalid', missing: expect.arrayContaining(['holderSurname']) })
    const failed = await ctx.client.prisma.importJob.findFirstOrThrow({ where: { status: 'failed' }, orderBy: { createdAt: 'desc' } })
    expect(failed.error).toMatch(/holderSurname/)
    expect(await ctx.client.prisma.account.count({ where: { number: '5400050001' } })).toBe(0)
  })

  it('stops an upload over IMPORT_MAX_BYTES with 413, writing nothing', async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => `54006${String(i).padStart(5, '0')};ул. Длинная, д. ${i};Фамилия;;1;30;heat;0`)
    const res = await imports.upload('accounts', ['number;address;holder_surname;holder_given_names;residents;area;services;opening_balance', ...rows].join('\n'), 'text/csv')
    expect(res.statusCode).toBe(413)
    expect(await ctx.client.prisma.account.count({ where: { number: { startsWith: '54006' } } })).toBe(0)
  })

  it('refuses a CSV with an unterminated quote (422 csv_invalid), writing nothing', async () => {
    const res = await imports.upload('accounts', 'number;address;holder_surname\n5400080001;"ул. Мира, 8;Незакрытый\n', 'text/csv')
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('csv_invalid')
    expect(await ctx.client.prisma.account.count({ where: { number: '5400080001' } })).toBe(0)
  })

  it('415 for other media types', async () => {
    expect((await imports.upload('accounts', 'x', 'text/plain')).statusCode).toBe(415)
  })
})

describe('meters import', () => {
  it('upserts meters by account, service and serial; unknown accounts and repeats are reported', async () => {
    const csv = [
      'account_number;service;serial_number;zones;digit_capacity;installed_at;verification_due_at',
      '5400030001;ГВС;HW-9001;1;5;15.03.2021;2027-03-15',
      '5400030001;heat;HT-9002;;6;;',
      '5400099999;heat;HT-9003;1;5;;',
      '5400030001;ГВС;HW-9001;1;5;15.03.2021;2027-03-15',
      '5400030002;heat;HT-9004;4;5;;',
      '5400030002;heat;HT-9005;1;5;31.02.2021;',
    ].join('\n')
    const job = await imports.finished(await imports.upload('meters', csv, 'text/csv'))
    expect(job).toMatchObject({ status: 'completed', totalRows: 6, insertedRows: 2, rejectedRows: 4 })
    expect((await imports.rejections(job.id)).map((r: { line: number; code: string }) => [r.line, r.code])).toEqual([
      [4, 'account_not_found'],
      [5, 'duplicate_in_file'],
      [6, 'zones_invalid'],
      [7, 'date_invalid'],
    ])
    const meter = await ctx.client.prisma.meter.findFirstOrThrow({ where: { serialNumber: 'HW-9001' } })
    expect(meter).toMatchObject({ service: 'hot_water', zones: 1, digitCapacity: 5 })
    expect(meter.verificationDueAt?.toISOString().slice(0, 10)).toBe('2027-03-15')
    const again = await imports.finished(await imports.upload('meters', csv, 'text/csv'))
    expect(again).toMatchObject({ insertedRows: 0, updatedRows: 0, unchangedRows: 2 })
  })
})

describe('access', () => {
  it('an operator of another supplier gets 404; a customer 403; the job is invisible to others', async () => {
    const other = await ctx.app.inject({
      method: 'POST',
      url: `/v1/admin/suppliers/${heat}/imports/accounts`,
      headers: { ...bearer(waterOperator), 'content-type': 'text/csv' },
      payload: 'number;address;holder_surname\n5400070001;ул. Мира, 7;Чужой\n',
    })
    expect(other.statusCode).toBe(404)
    expect(await ctx.client.prisma.account.count({ where: { number: '5400070001' } })).toBe(0)
    expect((await imports.upload('accounts', 'number;address;holder_surname\n', 'text/csv', customer)).statusCode).toBe(403)
    const job = await ctx.client.prisma.importJob.findFirstOrThrow({ where: { supplierId: heat } })
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/admin/imports/${job.id}`, headers: bearer(waterOperator) })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/admin/imports/${job.id}/rejections`, headers: bearer(waterOperator) })).statusCode).toBe(404)
  })
})
