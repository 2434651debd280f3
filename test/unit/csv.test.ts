import { CsvReader, CsvSyntaxError } from '../../src/imports/csv.ts'

function read(chunks: string[], delimiter = ';') {
  const reader = new CsvReader(delimiter)
  const out: [number, string[]][] = []
  for (const chunk of chunks) for (const r of reader.push(chunk)) out.push([r.line, r.fields])
  for (const r of reader.end()) out.push([r.line, r.fields])
  return out
}

describe('CsvReader', () => {
  it('splits plain lines, trims fields, skips empty lines, handles CRLF, a BOM and a last line without a break', () => {
    expect(read(['\uFEFFa; b ;c\r\n\r\n1;2;3\n4;5;6'])).toEqual([
      [1, ['a', 'b', 'c']],
      [3, ['1', '2', '3']],
      [4, ['4', '5', '6']],
    ])
  })

  it('reads quoted fields with delimiters, doubled quotes and line breaks inside', () => {
    expect(read(['n,addr\n1,"г. Новосибирск, ул. Ленина, д. 1"\n2,"ООО ""УК"" \nкорпус 2",x\n'], ',')).toEqual([
      [1, ['n', 'addr']],
      [2, ['1', 'г. Новосибирск, ул. Ленина, д. 1']],
      [4, ['2', 'ООО "УК" \nкорпус 2', 'x']],
    ])
  })

  it('gives the same records however the text is cut into chunks', () => {
    const text = 'a;b\n1;"x;\ny"\n2;z\n'
    const whole = read([text])
    for (let cut = 1; cut < text.length; cut++) expect(read([text.slice(0, cut), text.slice(cut)])).toEqual(whole)
  })

  it('refuses an unterminated quote', () => {
    expect(() => read(['a;b\n1;"never closed\n2;3\n'])).toThrow(CsvSyntaxError)
  })
})
