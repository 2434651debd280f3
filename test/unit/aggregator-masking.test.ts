import { maskAddress, maskHolder } from '../../src/aggregator/masking.ts'

describe('what a bank app may show', () => {
  it.each([
    ['Семёнова', 'Анна Сергеевна', 'С******а А. С.'],
    ['Иванов', 'Иван Петрович', 'И****в И. П.'],
    ['Смирнов', 'А. В.', 'С*****в А. В.'],
    ['Ли', null, 'Л*'],
    ['ООО «УК Уютный дом»', null, 'О*****************»'],
  ])('holder %s %s → %s', (surname, given, masked) => {
    expect(maskHolder(surname, given)).toBe(masked)
  })

  it.each([
    ['г. Новосибирск, ул. Ленина, д. 10, кв. 6', 'г. Новосибирск, ул. Ленина, д. *, кв. *'],
    ['г. Новосибирск, ул. Садовая, д. 7 (частный сектор)', 'г. Новосибирск, ул. Садовая, д. * (частный сектор)'],
    ['г. Москва, ул. 1905 года, д. 12/3, корп. 2а, кв. 140', 'г. Москва, ул. * года, д. *, корп. *, кв. *'],
  ])('address %s → %s', (address, masked) => {
    expect(maskAddress(address)).toBe(masked)
  })
})
